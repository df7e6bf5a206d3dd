"""Two editors' changes to one version of a body, merged block by block (newsroom.merge)."""

from hypothesis import given
from hypothesis import strategies as st

from dateline.newsroom.merge import blocks, merge

BASE = "<p>One.</p><p>Two.</p><h2>Three</h2><ul><li>Four</li></ul><p>Five.</p>"


def test_changes_to_different_paragraphs_are_both_kept():
    mine = BASE.replace("One.", "One, fixed.")
    theirs = BASE.replace("Five.", "Five, with a quote.")
    assert merge(BASE, mine, theirs) == (
        "<p>One, fixed.</p><p>Two.</p><h2>Three</h2><ul><li>Four</li></ul>"
        "<p>Five, with a quote.</p>")


def test_additions_and_removals_in_different_places_are_both_kept():
    mine = BASE.replace("<p>Two.</p>", "")  # cut
    theirs = BASE + "<p>Six.</p>"  # added at the end
    assert merge(BASE, mine, theirs) == (
        "<p>One.</p><h2>Three</h2><ul><li>Four</li></ul><p>Five.</p><p>Six.</p>")
    inserted = BASE.replace("<p>Two.</p>", "<p>Two.</p><p>Two and a half.</p>")
    changed = BASE.replace("Two.", "Two!")
    assert merge(BASE, inserted, BASE.replace("Five.", "5.")) == (
        "<p>One.</p><p>Two.</p><p>Two and a half.</p><h2>Three</h2><ul><li>Four</li></ul>"
        "<p>5.</p>")
    # A paragraph put after one the other changed: next to each other, both kept, in order.
    assert merge(BASE, inserted, changed).startswith(
        "<p>One.</p><p>Two!</p><p>Two and a half.</p><h2>")
    # Put where the other took a paragraph out: a conflict.
    assert merge(BASE, BASE.replace("<p>Two.</p>", "<p>New.</p><p>Two.</p>"),
                 BASE.replace("<p>One.</p><p>Two.</p>", "")) is None


def test_the_same_block_changed_differently_is_a_conflict():
    assert merge(BASE, BASE.replace("Two.", "Two, mine."),
                 BASE.replace("Two.", "Two, theirs.")) is None
    assert merge(BASE, BASE + "<p>Mine.</p>", BASE + "<p>Theirs.</p>") is None


def test_the_same_change_made_by_both_is_kept_once():
    both = BASE.replace("Three", "Third")
    assert merge(BASE, both, both) == both


def test_markup_as_the_editor_sends_it_compares_as_the_sanitiser_writes_it():
    # The body editor's HTML differs from the stored one in ways the sanitiser removes.
    mine = BASE.replace("<p>One.</p>", '<p style="color:red">One, fixed.</p>')
    theirs = BASE.replace("Five.", "Five, with a quote.")
    assert merge(BASE, mine, theirs).startswith("<p>One, fixed.</p><p>Two.</p>")


def test_white_space_between_blocks_is_no_change():
    """An imported body keeps a line break between paragraphs; the body editor sends none."""
    imported = BASE.replace("</p>", "</p>\n").replace("</ul>", "</ul>\n")
    mine = BASE.replace("Five.", "Five, with a quote.")
    theirs = imported.replace("Two.", "Two, fixed.")
    assert merge(imported, mine, theirs) == (
        "<p>One.</p><p>Two, fixed.</p><h2>Three</h2><ul><li>Four</li></ul>"
        "<p>Five, with a quote.</p>")


paragraphs = st.lists(st.text("abc ", min_size=1, max_size=6), min_size=1, max_size=6)


@given(paragraphs, paragraphs)
def test_one_side_unchanged_gives_the_other_side(base, changed):
    before = "".join(f"<p>{p}</p>" for p in base)
    after = "".join(f"<p>{p}</p>" for p in changed)
    assert merge(before, after, before) == "".join(blocks(after))
    assert merge(before, before, after) == "".join(blocks(after))
