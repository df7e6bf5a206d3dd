"""Two editors on one of the desk's plain forms (newsroom.desk.seen): a save applies what its
editor changed to the row as it is now; a field both changed is refused once, naming it.

Each test opens the real page, reads its form as the browser would post it, lets a colleague
save meanwhile, then posts the stale page with this editor's own change.
"""

import json
from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from dateline.edition import arrange
from dateline.edition.assembly import build_edition
from dateline.edition.models import Edition
from dateline.ingest.press_review import start_review
from dateline.newsroom.models import Source

from ..ingest import desk_rows
from .page_forms import form_values

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)


@pytest.fixture
def editors(make_user):
    """Two editors, each in a browser of their own."""
    clients = []
    for name in ("ann", "ben"):
        client = Client()
        client.force_login(make_user("Editor", username=name))
        clients.append(client)
    return clients


@pytest.fixture
def source(db):
    return Source.objects.create(name="Le Monde", url="https://www.lemonde.fr/",
                                 rights_holder="Le Monde", usage_terms="")


def one_after_the_other(editors, page: str, marker: str, anns: dict, bens: dict):
    """Both open `page`; ann saves her changes, then ben his on the page he opened before."""
    ann, ben = editors
    bens_page = form_values(ben.get(page).text, marker)
    anns_page = form_values(ann.get(page).text, marker)
    assert ann.post(page, {**anns_page, **anns}).status_code == 302
    return ben.post(page, {**bens_page, **bens})


def test_a_colleagues_change_to_another_field_is_kept(editors, source):
    saved = one_after_the_other(
        editors, f"/desk/newsroom/source/{source.pk}/change/", "seen_state",
        {"rights_holder": ["Groupe Le Monde"]},
        {"usage_terms": ["Quote up to 300 characters with a link."]})
    assert saved.status_code == 302
    source.refresh_from_db()
    assert source.rights_holder == "Groupe Le Monde"  # ann's, not put back by ben's old page
    assert source.usage_terms == "Quote up to 300 characters with a link."


def test_the_same_field_changed_by_both_is_refused_once_then_replaced(editors, source):
    _, ben = editors
    page = f"/desk/newsroom/source/{source.pk}/change/"
    refused = one_after_the_other(editors, page, "seen_state",
                                  {"rights_holder": ["Groupe Le Monde"]},
                                  {"rights_holder": ["Le Monde SA"]})
    assert refused.status_code == 200
    assert "Someone saved a change to this since you opened it" in refused.text
    assert "Rights holder (now “Groupe Le Monde”)" in refused.text
    source.refresh_from_db()
    assert source.rights_holder == "Groupe Le Monde"
    # Saving the page as it came back is a decision to replace theirs.
    again = form_values(refused.text, "seen_state")
    assert again["rights_holder"] == ["Le Monde SA"]
    assert ben.post(page, again).status_code == 302
    source.refresh_from_db()
    assert source.rights_holder == "Le Monde SA"


def test_a_save_with_nobody_else_in_between_is_as_posted(editors, source):
    ann, _ = editors
    page = f"/desk/newsroom/source/{source.pk}/change/"
    anns = form_values(ann.get(page).text, "seen_state")
    anns["name"], anns["url"] = ["Le Monde (Paris)"], ["https://lemonde.fr/"]
    assert ann.post(page, anns).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.url) == ("Le Monde (Paris)", "https://lemonde.fr/")


@pytest.fixture
def edition(make_article, make_section):
    world, business = make_section("World", position=1), make_section("Business", position=2)
    for n in range(3):
        make_article(f"World story {n}", section=world, published_at=_at(2, n))
    make_article("Markets close higher", section=business, published_at=_at(4))
    return build_edition(DAY)


def _at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(DAY.year, DAY.month, DAY.day, hour, minute))


def test_a_stale_table_save_keeps_a_colleagues_move_on_the_board(editors, edition):
    _, ben = editors
    page = f"/desk/edition/edition/{edition.pk}/change/"
    bens_table = form_values(ben.get(page).text, "items-0-position")
    # ann moves the last story to the top on the board.
    board = {"version": arrange.version(edition), "groups": []}
    for group in arrange.board(edition):
        items = [item.pk for item in group.items]
        board["groups"].append({"column": group.column,
                                "section": group.section.pk if group.section else None,
                                "items": items[::-1]})
    arrange.save(edition.pk, board)
    moved = {item.pk: item.position for item in edition.items.all()}
    # ben, on his older table, pins the first row and saves.
    first = int(bens_table["items-0-id"][0])
    bens_table["items-0-pinned"] = ["on"]
    assert ben.post(page, bens_table).status_code == 302
    after = {item.pk: item for item in edition.items.all()}
    assert {pk: item.position for pk, item in after.items()} == moved  # ann's order stands
    assert after[first].pinned  # and ben's pin is saved


def test_a_sent_edition_cannot_be_changed_from_its_table(editors, edition):
    ann, _ = editors
    page = f"/desk/edition/edition/{edition.pk}/change/"
    opened = form_values(ann.get(page).text, "items-0-position")
    before = {item.pk: (item.position, item.left_out) for item in edition.items.all()}
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    opened["items-0-left_out"] = ["on"]
    refused = ann.post(page, opened)
    assert refused.status_code == 200
    assert "This edition has been sent (or is being sent)" in refused.text
    assert {i.pk: (i.position, i.left_out) for i in edition.items.all()} == before
    shown = ann.get(page).text
    assert 'name="items-0-position"' not in shown and 'name="_save"' not in shown
    assert "the table below is for reading" in shown


@pytest.fixture
def review(db, make_section, make_user):
    make_section("World")
    feed = desk_rows.feed("Le Monde")
    items = [desk_rows.item(feed, "La Bulgarie adopte l'euro", summary="Sofia vote."),
             desk_rows.item(feed, "Le parlement bulgare vote", summary="Un vote.")]
    return start_review(items, make_user("Editor"), "Bulgaria")


def test_a_press_review_summary_is_not_wiped_by_a_colleagues_older_page(editors, review):
    saved = one_after_the_other(
        editors, f"/desk/ingest/press-review/{review.pk}/", "press_review_entries-0-summary",
        {"press_review_entries-0-summary": ["Le Monde reports the vote as historic."]},
        {"press_review_entries-1-summary": ["A second paper on the same vote."]})
    assert saved.status_code == 302
    summaries = list(review.press_review_entries.order_by("position", "pk")
                     .values_list("summary", flat=True))
    assert summaries == ["Le Monde reports the vote as historic.",
                         "A second paper on the same vote."]


def test_a_press_review_summary_both_rewrote_is_refused_with_theirs_named(editors, review):
    field = "press_review_entries-0-summary"
    refused = one_after_the_other(editors, f"/desk/ingest/press-review/{review.pk}/", field,
                                  {field: ["Ann's summary."]}, {field: ["Ben's summary."]})
    assert refused.status_code == 200 and "Ann&#x27;s summary." in refused.text
    assert review.press_review_entries.order_by("position", "pk")[0].summary == "Ann's summary."


def test_a_tag_deleted_while_the_story_was_open_is_said_in_words(
        editors, make_article, make_tag):
    """Django's "Select a valid choice. 411 is not one of the available choices." named the
    tag by its number alone."""
    from .test_admin import article_post_data

    ann, _ = editors
    story = make_article("Storm hits coast")
    gone = make_tag("Varna")
    gone_pk = gone.pk
    gone.delete()
    refused = ann.post(f"/desk/newsroom/article/{story.pk}/change/",
                       article_post_data(story, tags=[gone_pk]))
    assert refused.status_code == 200
    assert (f"No. {gone_pk} is not among the choices any more: deleted since this page was "
            "opened? Choose again.") in refused.text
    assert "Select a valid choice" not in refused.text


@pytest.mark.parametrize("sent", ["[" * 100_000, "not json", '{"name": [1]}', "7", "x" * 60_000])
def test_a_seen_state_that_is_no_digest_is_a_save_as_posted_never_a_500(editors, source, sent):
    ann, _ = editors
    page = f"/desk/newsroom/source/{source.pk}/change/"
    anns = form_values(ann.get(page).text, "seen_state")
    anns["seen_state"], anns["name"] = [sent], ["Le Monde (Paris)"]
    assert ann.post(page, anns).status_code == 302
    source.refresh_from_db()
    assert source.name == "Le Monde (Paris)"


def refused_after_a_colleague(editors, source):
    """Both open the source; ben saves its rights holder and usage terms; ann's save of
    another rights holder is refused. Her client, the page, and the refused answer."""
    ann, ben = editors
    page = f"/desk/newsroom/source/{source.pk}/change/"
    anns = form_values(ann.get(page).text, "seen_state")
    bens = form_values(ben.get(page).text, "seen_state")
    bens["rights_holder"], bens["usage_terms"] = ["Le Monde SA"], ["Ask first."]
    assert ben.post(page, bens).status_code == 302
    anns["rights_holder"] = ["Groupe Le Monde"]
    return ann, page, ann.post(page, anns)


def test_saving_again_after_a_refusal_replaces_only_the_field_both_changed(editors, source):
    """The refused page showed this editor's old values of the fields kept from a colleague,
    and saving again wrote them back: the colleague's other change was lost."""
    ann, page, refused = refused_after_a_colleague(editors, source)
    assert "Rights holder (now “Le Monde SA”)" in refused.text
    assert ann.post(page, form_values(refused.text, "seen_state")).status_code == 302
    source.refresh_from_db()
    assert (source.rights_holder, source.usage_terms) == ("Groupe Le Monde", "Ask first.")


def test_a_table_save_after_a_move_on_the_same_page_is_no_conflict(editors, edition):
    """The board's move updated the table's inputs but not their digests: the editor's own
    table save was refused as someone else's change."""
    ann, _ = editors
    page = f"/desk/edition/edition/{edition.pk}/change/"
    table = form_values(ann.get(page).text, "items-0-position")
    board = {"version": arrange.version(edition), "groups": [
        {"column": g.column, "section": g.section.pk if g.section else None,
         "items": [item.pk for item in g.items][::-1]} for g in arrange.board(edition)]}
    answer = ann.post(f"/desk/edition/edition/{edition.pk}/arrange/", json.dumps(board),
                      content_type="application/json").json()
    rows = int(table["items-TOTAL_FORMS"][0])
    for n in range(rows):  # what arrange.js does with the answer
        place = answer["items"][table[f"items-{n}-id"][0]]
        table[f"items-{n}-column"], table[f"items-{n}-position"] = (
            [place["column"]], [str(place["position"])])
        table[f"items-{n}-seen_state"] = [place["seen"]]
    table["items-0-pinned"] = ["on"]
    assert ann.post(page, table).status_code == 302
    assert edition.items.get(pk=int(table["items-0-id"][0])).pinned


def test_a_merged_table_still_has_one_lead_story(editors, edition):
    """A colleague's new lead kept by the merge, and this editor's own: two leads saved,
    since the one-lead check read the posted table, not the merged one."""
    from dateline.edition.models import EditionItem

    Column = EditionItem.Column
    ann, _ = editors
    page = f"/desk/edition/edition/{edition.pk}/change/"
    table = form_values(ann.get(page).text, "items-0-position")
    rows = {int(table[f"items-{n}-id"][0]): n
            for n in range(int(table["items-TOTAL_FORMS"][0]))}
    lead = edition.items.get(column=Column.LEAD)
    others = [item for item in edition.items.order_by("position") if item.pk != lead.pk]
    # A colleague (the board) takes the lead into the briefs and leads with another story.
    EditionItem.objects.filter(pk=lead.pk).update(column=Column.BRIEF)
    EditionItem.objects.filter(pk=others[0].pk).update(column=Column.LEAD)
    # This editor, on the older table, also moves the lead out, and leads with a third.
    table[f"items-{rows[lead.pk]}-column"] = [Column.BRIEF]
    table[f"items-{rows[others[1].pk]}-column"] = [Column.LEAD]
    refused = ann.post(page, table)
    assert refused.status_code == 200 and "An edition has one lead story" in refused.text
    # Named, the colleague's lead too: this table still shows it as a section story.
    for item in (others[0], others[1]):
        assert f"&#x2018;{item.article.headline}&#x2019;" in refused.text or (
            f"\u2018{item.article.headline}\u2019" in refused.text)
    assert edition.items.filter(column=Column.LEAD).count() == 1


def test_a_textarea_nobody_touched_is_no_change_whatever_its_line_ends(editors, source):
    """A browser posts a textarea's lines with CRLF: a caption stored with LF was saved back
    "changed" by a page that never touched it, and a colleague's edit of it then refused."""
    ann, ben = editors
    Source.objects.filter(pk=source.pk).update(usage_terms="Line one.\nLine two.")
    page = f"/desk/newsroom/source/{source.pk}/change/"
    anns = form_values(ann.get(page).text, "seen_state")
    bens = form_values(ben.get(page).text, "seen_state")
    anns["usage_terms"] = [anns["usage_terms"][0].replace("\n", "\r\n")]  # as browsers post
    anns["name"] = ["Le Monde (Paris)"]
    assert ann.post(page, anns).status_code == 302
    source.refresh_from_db()
    assert source.usage_terms == "Line one.\nLine two."  # the stored bytes, untouched
    bens["usage_terms"] = ["Quote with a link."]
    assert ben.post(page, bens).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.usage_terms) == ("Le Monde (Paris)", "Quote with a link.")


def test_the_refusal_names_a_choice_by_its_label_and_a_moment_in_the_desks_zone():
    from datetime import UTC

    from dateline.edition.models import EditionItem
    from dateline.newsroom.desk.seen import _shown
    from dateline.newsroom.models import Article

    column = EditionItem._meta.get_field("column")
    assert _shown(column, EditionItem.Column.BRIEF) == EditionItem.Column.BRIEF.label
    moment = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert _shown(Article._meta.get_field("published_at"), moment) == "2026-12-01 07:00"


def test_the_refused_page_shows_a_colleagues_change_it_kept(editors, source):
    """The refused page showed the editor's old value of a field kept from a colleague:
    their change looked gone. It shows theirs, and a change to it made after seeing it is
    judged against what was shown (saved, not refused again)."""
    ann, page, answer = refused_after_a_colleague(editors, source)
    refused = form_values(answer.text, "seen_state")
    assert refused["usage_terms"] == ["Ask first."]  # ben's, as it is now
    assert refused["rights_holder"] == ["Groupe Le Monde"]  # hers, the field both changed
    refused["usage_terms"] = ["Ask first; credit Le Monde."]
    assert ann.post(page, refused).status_code == 302
    source.refresh_from_db()
    assert (source.rights_holder, source.usage_terms) == (
        "Groupe Le Monde", "Ask first; credit Le Monde.")
