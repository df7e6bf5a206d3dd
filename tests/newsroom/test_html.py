import re
import unicodedata

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.newsroom.html import first_sentence, paragraphs_to_html, plain_text, sanitize_body

pytestmark = pytest.mark.one_engine


def test_sanitize_removes_scripts_handlers_and_javascript_urls():
    dirty = (
        '<p onclick="steal()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src="x.png" onerror="alert(1)"><iframe src="https://evil"></iframe></p>'
    )
    clean = sanitize_body(dirty)
    assert "script" not in clean
    assert "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean
    assert "iframe" not in clean
    assert '<img src="x.png">' in clean


def test_sanitize_keeps_story_markup_and_marks_links():
    clean = sanitize_body('<h2>Aid</h2><p><strong>Kyiv</strong> <a href="https://a.example/">a</a></p>')
    assert "<h2>Aid</h2>" in clean
    assert "<strong>Kyiv</strong>" in clean
    assert 'rel="noopener noreferrer nofollow"' in clean


def test_paragraphs_are_escaped_and_split_on_blank_lines():
    html = paragraphs_to_html("One <b>line</b>\nsame para\n\n\nTwo & three")
    assert html == "<p>One &lt;b&gt;line&lt;/b&gt;<br>same para</p>\n<p>Two &amp; three</p>"


def test_first_sentence_stops_at_the_full_stop():
    assert first_sentence("<p>Prices rose 2.5% on Monday. Traders cheered.</p>") == (
        "Prices rose 2.5% on Monday."
    )


def test_first_sentence_is_cut_at_a_word_when_long():
    text = "word " * 200
    cut = first_sentence(text, limit=50)
    assert len(cut) <= 51 and cut.endswith("…") and " wor…" not in cut


def test_plain_text_unescapes_entities():
    assert plain_text("<p>Tom &amp; Jerry</p>\n<p>x</p>") == "Tom & Jerry x"


def test_first_sentence_does_not_stop_at_initials_or_abbreviations():
    assert first_sentence("The U.S. Dollar opened lower in Hong Kong. Dealers said more.") == (
        "The U.S. Dollar opened lower in Hong Kong.")
    assert first_sentence("Mr. Smith said the deal with Acme Corp. was done. He left.") == (
        "Mr. Smith said the deal with Acme Corp. was done.")


def test_first_sentence_skips_a_fragment_too_short_to_tell_anything():
    assert first_sentence("Bonn. Officials in the capital said talks would resume on Monday.") == (
        "Bonn. Officials in the capital said talks would resume on Monday.")


def test_a_quotations_source_keeps_to_the_links_schemes():
    clean = sanitize_body(
        '<q cite="javascript:alert(1)">a</q><blockquote cite=" data:text/html,x">b</blockquote>'
        '<q cite="https://a.example/said">c</q><q cite="/said">d</q>')
    assert clean == ('<q>a</q><blockquote>b</blockquote><q cite="https://a.example/said">c</q>'
                     '<q cite="/said">d</q>')


def test_control_characters_go_and_words_breaks_become_spaces():
    from dateline.newsroom.html import without_control_characters

    assert without_control_characters("Storm\x0bhits\x0cthe\x1f coast\x7f\x81\x00") == (
        "Storm hits the coast")
    # Windows-1252's punctuation misread as Latin-1 is read as what it stands for.
    assert without_control_characters("Smart \x93quotes\x94 don\x92t \x96 O\x92Brien\x85") == (
        "Smart \u201cquotes\u201d don\u2019t \u2013 O\u2019Brien\u2026")
    # What people do type stays: tabs, line ends, every letter and sign of any script.
    kept = "Tab\there\r\nПутин · ٣ · 東京 — “quoted” €"  # noqa: RUF001
    assert without_control_characters(kept) == kept


def test_noncharacters_and_lone_surrogates_go_and_every_plane_s_letters_stay():
    """U+FFFE and U+FFFF typed in the desk (browsers send them as any UTF-8) made every feed
    and the news sitemap listing the story unreadable XML; the other noncharacters and half a
    surrogate pair are no text either."""
    from dateline.newsroom.html import as_meant

    assert as_meant("Sofia\ufffe talks\uffff \ufdd0end\U0001fffe\U0010ffff\ud800") == (
        "Sofia talks end")
    # Astral letters, emoji with their joiners, flags and the last character before U+FFFE stay.
    kept = ("\U0001d518 \U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f1e7\U0001f1ec "
            "\U0001fffd \ufffd \ufdf0")
    assert as_meant(kept) == kept


def test_text_comes_composed_as_the_web_writes_it():
    from dateline.newsroom.html import as_meant

    assert as_meant("Gdan\u0301sk\x0bstrike") == "Gdańsk strike"
    # A few characters decompose under NFC (composition exclusions): such a text is kept as
    # given, so that it never outgrows the column whose limit it was checked against.
    grows = "\u0958" * 3
    assert len(unicodedata.normalize("NFC", grows)) > len(grows)
    assert as_meant(grows) == grows


# The direction marks: overrides, an embedding and its end, isolates and their end.
RLO, LRO, RLE, PDF, RLI, FSI, PDI = "\u202e\u202d\u202b\u202c\u2067\u2068\u2069"


@pytest.mark.parametrize(("written", "kept"), [
    # An override left open would run on into whatever follows the name ("By A and B").
    (f"Aaa{RLO} first author", "Aaa first author"),
    (f"{PDF}Stray{PDI} closers", "Stray closers"),
    # Closed marks stay: a right-to-left name inside a left-to-right one.
    (f"Report by {RLI}\u05d3\u05e0\u05d4{PDI} and {RLE}x{PDF}",
     f"Report by {RLI}\u05d3\u05e0\u05d4{PDI} and {RLE}x{PDF}"),
    # A PDI ends the embeddings opened inside its isolate; a PDF cannot end an isolate.
    (f"{FSI}a{LRO}b{PDI}c{PDF}", f"{FSI}a{LRO}b{PDI}c"),
    (f"{RLO}{FSI}a{PDF}{PDI}", f"{FSI}a{PDI}"),
])
def test_direction_marks_left_open_or_closing_nothing_go(written, kept):
    from dateline.newsroom.html import as_meant, directions_closed

    assert as_meant(written) == kept
    assert directions_closed(kept) == kept


@given(st.text(alphabet=st.sampled_from(f"ab{RLO}{LRO}{RLE}{PDF}{RLI}{FSI}{PDI}")))
def test_what_is_left_of_the_direction_marks_is_balanced(text):
    from dateline.newsroom.html import directions_closed

    closed = directions_closed(text)
    assert directions_closed(closed) == closed  # nothing left open, nothing closing nothing
    marks = "[\u202a-\u202e\u2066-\u2069]"
    assert re.sub(marks, "", closed) == re.sub(marks, "", text)  # every letter stays


@given(st.text())
def test_composed_text_says_the_same_and_is_never_longer(text):
    from dateline.newsroom.html import as_meant, directions_closed, without_control_characters

    meant = as_meant(text)
    plain = directions_closed(without_control_characters(text))
    assert len(meant) <= len(plain)
    assert unicodedata.normalize("NFD", meant) == unicodedata.normalize("NFD", plain)
    if len(unicodedata.normalize("NFC", plain)) <= len(plain):
        assert unicodedata.is_normalized("NFC", meant)


def test_a_body_nests_no_deeper_than_the_limit_and_keeps_its_words():
    from dateline.newsroom.html import MAX_DEPTH, within_depth

    deep = ("<blockquote>" * 500 + "<p>Deep <b>words</b><br>here</p>" + "</blockquote>" * 500
            + "<ul><li>After</li></ul>")
    clean = sanitize_body(deep)
    tree = lxml.html.fragment_fromstring(clean, create_parent="div")
    # Elements that hold others, counted below the wrapping div (a <br> holds nothing).
    depth = max(len(list(e.iterancestors())) for e in tree.iter() if e.tag != "br")
    assert depth == MAX_DEPTH
    assert tree.text_content() == "Deep wordshereAfter"
    shallow = "<table><tbody><tr><td><ul><li><p><strong>Cell</strong></p></li></ul></td></tr>" \
              "</tbody></table>"
    assert within_depth(shallow * 40) == shallow * 40


def test_the_sanitisers_parser_is_never_handed_deep_nesting():
    """html5ever's time grows with the square of the nesting (100,000 nested quotes took
    14 s): it is given at most 4 x MAX_DEPTH elements that nest, however they are written,
    and what comes out keeps the words."""
    from dateline.newsroom.html import MAX_DEPTH, shallower

    for unit, end in (("<blockquote>", "</blockquote>"), ("<ul><li>", ""), ("<DIV class=x>", ""),
                      ("<span>", "</span>")):
        written = unit * 50_000 + "words" + end * 50_000
        given = shallower(written).lower()
        nesting = unit.lower().split(">")[0].lstrip("<").split()[0]
        assert given.count(f"<{nesting}") <= 4 * MAX_DEPTH, unit
        tree = lxml.html.fragment_fromstring(sanitize_body(written), create_parent="div")
        assert tree.text_content() == "words", unit
    # Paragraphs, items and cells close themselves: hundreds of them add no depth.
    sloppy = "<ul>" + "<li><p>item" * 300 + "</ul>"
    assert shallower(sloppy) == sloppy


def _first_sentence_looking_at_every_boundary(markup: str, limit: int = 300) -> str:
    """first_sentence as it was before it stopped at `limit` (quadratic on "Mr. Mr. …")."""
    from dateline.newsroom import html as rules

    text = rules.plain_text(markup)
    sentence = text
    for boundary in rules._SENTENCE_END.finditer(text):
        candidate = text[: boundary.start()].rstrip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".!?\"'”’)").lower()  # noqa: RUF001
        if rules._INITIALS.search(candidate) or last_word in rules._ABBREVIATIONS:
            continue
        if len(candidate) >= rules.MIN_SENTENCE:
            sentence = candidate
            break
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@given(st.lists(st.sampled_from(["Mr.", "A.", "U.S.", "Corp.", "word", "Word", "ends.",
                                 "Why?", "Now!", '"Quoted."', "(Aside.)", "x" * 40]),
                max_size=120),
       st.sampled_from([20, 60, 300]))
def test_the_first_sentence_is_what_reading_every_boundary_gave(words, limit):
    markup = "<p>" + " ".join(words) + "</p>"
    assert first_sentence(markup, limit) == _first_sentence_looking_at_every_boundary(
        markup, limit)


def test_a_teaser_cut_in_a_row_of_flags_ends_with_a_whole_flag(make_article):
    """Cut at 300 code points, a teaser ended in half a flag (one regional indicator) in the
    page, every feed and the live stream."""
    flags = "\U0001f1e7\U0001f1ec" * 400
    cut = first_sentence(f"<p>x{flags}</p>")
    assert cut.endswith("\U0001f1e7\U0001f1ec…") and len(cut) <= 301
    assert make_article(body=f"<p>x{flags}</p>").teaser == cut


def test_inline_tags_join_the_words_around_them_and_block_tags_part_them():
    body = ('<p><strong>Breaking</strong>: H<sub>2</sub>O prices rose for the 10<sup>th</sup> '
            'time, said <em>Reuters</em>\u2019s \u201c<a href="https://example.org/">desk</a>'
            '\u201d.</p><p>Second<br>line</p><ul><li>one</li><li>two</li></ul>')
    assert plain_text(body) == ("Breaking: H2O prices rose for the 10th time, said "
                                "Reuters\u2019s \u201cdesk\u201d. Second line one two")
    assert first_sentence(body) == ("Breaking: H2O prices rose for the 10th time, said "
                                    "Reuters\u2019s \u201cdesk\u201d.")


@pytest.mark.parametrize(("body", "first"), [
    ("<p>Правителството в София одобри бюджета. Опозицията гласува против.</p><p>Втори.</p>",
     "Правителството в София одобри бюджета."),
    ("<p>وافقت الحكومة على ميزانية العام المقبل. صوتت المعارضة ضدها.</p>",
     "وافقت الحكومة على ميزانية العام المقبل."),
    ("<p>政府今天批准了明年的国家预算和税收计划。反对派投了反对票。</p>",
     "政府今天批准了明年的国家预算和税收计划。"),
    ("<p>The government in Sofia approved the budget. The opposition voted against.</p>",
     "The government in Sofia approved the budget."),
])
def test_the_first_sentence_ends_where_it_does_in_any_script(body, first):
    """Only a Latin capital began a sentence: a Bulgarian, Arabic or Chinese story's teaser
    was its whole opening, paragraphs run together."""
    assert first_sentence(body) == first
