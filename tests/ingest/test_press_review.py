"""Press reviews: chosen items become entries (outlet, link, a bounded excerpt within the
outlet's rights, the editor's summary), edited on their own desk screen, refused at publication
without summaries, and published with their own template, valid HTML."""

import shutil

import pytest

from dateline.ingest.models import Item, PressReviewEntry
from dateline.ingest.press_review import EXCERPT_LIMIT, excerpt
from dateline.newsroom.actions import TRANSITIONS, ActionRefused
from dateline.newsroom.models import Article

from ..site.test_html_validity import VNU, vnu_errors
from . import desk_rows

LONG = ("Bulgaria's parliament voted on Thursday to adopt the euro next year, after a debate "
        "that lasted through the night and divided the governing coalition, whose smaller "
        "partner had asked for a referendum first; the opposition walked out before the vote, "
        "and protesters gathered in front of the building in Sofia until the early morning, "
        "when the police asked them to leave.")


@pytest.fixture
def chosen(db, make_section):
    make_section("World")
    quotable = desk_rows.feed("Le Monde")
    closed = desk_rows.feed("Die Zeit", may_quote=False)
    c = desk_rows.cluster("Euro")
    return [desk_rows.item(quotable, "La Bulgarie adopte l'euro", summary=LONG, cluster=c,
                           language="fr"),
            desk_rows.item(closed, "Bulgarien führt den Euro ein", summary="Sofia stimmt zu.",
                           cluster=c, language="de")]


def test_an_excerpt_is_bounded_and_cut_at_a_word(chosen):
    text = excerpt(chosen[0])
    assert len(text) <= EXCERPT_LIMIT and text.endswith("…")
    assert LONG.startswith(text[:-1]) and LONG[len(text) - 1] == " "
    assert excerpt(chosen[1]) == ""  # the outlet may not be quoted


def test_chosen_items_make_a_press_review(chosen, make_user, desk_client):
    editor = make_user("Editor")
    answer = desk_client(editor).post("/desk/ingest/press-review/", {
        "items": [i.pk for i in chosen], "review": "", "subject": "Bulgaria"})
    review = Article.objects.get(kind=Article.Kind.PRESS_REVIEW)
    assert answer["Location"] == f"/desk/ingest/press-review/{review.pk}/"
    assert review.headline == "What foreign media write about Bulgaria"
    assert review.status == Article.Status.DRAFT and review.created_by == editor
    entries = list(review.press_review_entries.all())
    assert [e.outlet.name for e in entries] == ["Le Monde", "Die Zeit"]
    assert entries[0].link == chosen[0].link and entries[0].language == "fr"
    assert 0 < len(entries[0].excerpt) <= EXCERPT_LIMIT and entries[1].excerpt == ""
    assert {s.name for s in review.sources.all()} == {"Le Monde", "Die Zeit"}
    assert Item.objects.filter(used=True).count() == 2
    assert list(review.revisions.values_list("version", flat=True)) == [review.version]


def test_one_item_joins_an_open_review_once(chosen, make_user, desk_client):
    client = desk_client(make_user("Editor"))
    client.post("/desk/ingest/press-review/", {"only": chosen[0].pk, "subject": "Bulgaria"})
    review = Article.objects.get()
    for _ in range(2):
        client.post("/desk/ingest/press-review/", {"only": chosen[1].pk, "review": review.pk})
    assert review.press_review_entries.count() == 2


def test_reporters_may_not_build_reviews(chosen, make_user, desk_client):
    answer = desk_client(make_user("Reporter")).post(
        "/desk/ingest/press-review/", {"items": [chosen[0].pk]})
    assert answer.status_code == 403 and not Article.objects.exists()


def make_review(chosen, client) -> Article:
    client.post("/desk/ingest/press-review/", {"items": [i.pk for i in chosen],
                                               "subject": "Bulgaria"})
    return Article.objects.get()


def entries_form(review: Article, summaries: list[str], excerpts: list[str] | None = None):
    entries = list(review.press_review_entries.all())
    data = {"press_review_entries-TOTAL_FORMS": len(entries),
            "press_review_entries-INITIAL_FORMS": len(entries)}
    for n, entry in enumerate(entries):
        data |= {f"press_review_entries-{n}-id": entry.pk,
                 f"press_review_entries-{n}-position": n + 1,
                 f"press_review_entries-{n}-excerpt": (excerpts or [entry.excerpt] * 9)[n],
                 f"press_review_entries-{n}-summary": summaries[n]}
    return data


def test_publishing_waits_for_every_summary(chosen, make_user, desk_client):
    editor = make_user("Editor")
    client = desk_client(editor)
    review = make_review(chosen, client)
    with pytest.raises(ActionRefused, match="summary"):
        TRANSITIONS["publish"].execute(editor, review)
    answer = client.post(f"/desk/ingest/press-review/{review.pk}/",
                         entries_form(review, ["Le Monde welcomes it.", "Die Zeit doubts it."]))
    assert answer.status_code == 302
    TRANSITIONS["publish"].execute(editor, review)
    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_a_published_review_keeps_what_its_publication_asked_for(chosen, make_user,
                                                                 desk_client, client):
    """A crafted form added an item, with no summary, to a live review, and every entry of it
    could be deleted: the public page showed an empty summary, then no entry at all."""
    editor = make_user("Editor")
    desk = desk_client(editor)
    review = make_review(chosen[:1], desk)
    desk.post(f"/desk/ingest/press-review/{review.pk}/", entries_form(review, ["Welcomed."]))
    TRANSITIONS["publish"].execute(editor, review)
    added = desk.post("/desk/ingest/press-review/", {"only": chosen[1].pk, "review": review.pk},
                      follow=True)
    assert "is published: it takes no new entries" in added.content.decode()
    assert review.press_review_entries.count() == 1
    url = f"/desk/ingest/press-review/{review.pk}/"
    emptied = desk.post(url, entries_form(review, [""]))
    assert "every entry keeps its summary" in emptied.content.decode()
    deleted = desk.post(url, entries_form(review, ["Welcomed."])
                        | {"press_review_entries-0-DELETE": "on"})
    assert "keeps at least one entry" in deleted.content.decode()
    assert list(review.press_review_entries.values_list("summary", flat=True)) == ["Welcomed."]
    # A summary mended on the live review is saved, and the page shows it.
    assert desk.post(url, entries_form(review, ["Welcomed warmly."])).status_code == 302
    assert "Welcomed warmly." in client.get(review.get_absolute_url()).content.decode()


def test_an_outlet_that_may_no_longer_be_quoted_is_not_quoted(chosen, make_user, desk_client,
                                                               client):
    """Unticked "May quote" after its item was in a review: the excerpt stayed, locked in a
    disabled box, and was printed on the published page."""
    editor = make_user("Editor")
    desk = desk_client(editor)
    review = make_review(chosen[:1], desk)
    quoted = review.press_review_entries.get().excerpt
    assert quoted
    feed = chosen[0].feed
    feed.may_quote = False
    feed.save()
    desk.post(f"/desk/ingest/press-review/{review.pk}/", entries_form(review, ["Welcomed."]))
    assert review.press_review_entries.get().excerpt == ""
    TRANSITIONS["publish"].execute(editor, review)
    PressReviewEntry.objects.filter(article=review).update(excerpt=quoted)  # kept from before
    page = client.get(review.get_absolute_url()).content.decode()
    assert quoted[:40] not in page and "<blockquote" not in page and "Welcomed." in page


def test_a_review_chosen_that_no_story_can_be_is_said_not_started_anew(chosen, make_user,
                                                                         desk_client):
    answer = desk_client(make_user("Editor")).post("/desk/ingest/press-review/", {
        "only": chosen[0].pk, "review": "9" * 30}, follow=True)
    assert "No such press review" in answer.content.decode()
    assert not Article.objects.exists()


def test_an_entry_a_colleague_removed_meanwhile_does_not_block_the_others(
        chosen, make_user, desk_client):
    """Every Save was refused with "Please correct the errors below" and no error shown (the
    removed entry's hidden id), and nothing was saved."""
    client = desk_client(make_user("Editor"))
    review = make_review(chosen, client)
    page = entries_form(review, ["Le Monde welcomes it.", "Die Zeit doubts it."])
    review.press_review_entries.order_by("position").first().delete()  # by a colleague
    answer = client.post(f"/desk/ingest/press-review/{review.pk}/", page, follow=True)
    assert "1 of the entries on your page had been removed" in answer.content.decode()
    assert list(review.press_review_entries.values_list("summary", flat=True)) == [
        "Die Zeit doubts it."]


def test_the_desk_refuses_a_long_quotation_and_one_the_outlet_forbids(chosen, make_user,
                                                                      desk_client):
    client = desk_client(make_user("Editor"))
    review = make_review(chosen, client)
    page = client.post(f"/desk/ingest/press-review/{review.pk}/", entries_form(
        review, ["a", "b"], ["word " * 100, "Sofia stimmt zu."]))
    assert page.status_code == 200 and "Keep the quotation short" in page.content.decode()
    client.post(f"/desk/ingest/press-review/{review.pk}/", entries_form(
        review, ["a", "b"], ["Short.", "Sofia stimmt zu."]))
    assert [e.excerpt for e in review.press_review_entries.all()] == ["Short.", ""]


def test_the_published_review_shows_its_entries_and_is_valid_html(
        chosen, make_user, desk_client, client, tmp_path):
    editor = make_user("Editor")
    review = make_review(chosen, desk_client(editor))
    desk_client(editor).post(f"/desk/ingest/press-review/{review.pk}/", entries_form(
        review, ["Le Monde <welcomes> it.", "Die Zeit doubts it."]))
    TRANSITIONS["publish"].execute(editor, review)
    client.logout()
    page = client.get(Article.objects.get().get_absolute_url())
    html = page.content.decode()
    first = PressReviewEntry.objects.filter(article=review).first()
    assert f'<blockquote cite="{first.link}" lang="fr"><p>{first.excerpt}' in html.replace(
        "&#x27;", "'")
    assert f'<a href="{first.link}" rel="nofollow noopener" hreflang="fr">' in html
    assert "Le Monde &lt;welcomes&gt; it." in html and "Die Zeit doubts it." in html
    assert html.count("<blockquote") == 1  # none for the outlet that may not be quoted
    assert "Language: de" in html
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    (tmp_path / "review.html").write_bytes(page.content)
    assert vnu_errors(java, [tmp_path / "review.html"]) == []


def test_the_article_editor_leads_to_the_entries(chosen, make_user, desk_client):
    client = desk_client(make_user("Editor"))
    review = make_review(chosen, client)
    html = client.get(f"/desk/newsroom/article/{review.pk}/change/").content.decode()
    assert f'href="/desk/ingest/press-review/{review.pk}/"' in html
    entries = client.get(f"/desk/ingest/press-review/{review.pk}/").content.decode()
    assert "This outlet may not be quoted." in entries and "La Bulgarie adopte" in entries


def test_an_entry_without_a_link_shows_its_headline_unlinked_on_the_desk(
    chosen, make_user, desk_client
):
    # A ninjs item may carry no web address (the demo's "World briefs" do): its headline is
    # not a link to the entries page itself (href="").
    Item.objects.filter(pk=chosen[1].pk).update(link="")
    client = desk_client(make_user("Editor"))
    review = make_review(chosen, client)
    entries = client.get(f"/desk/ingest/press-review/{review.pk}/").content.decode()
    assert 'href=""' not in entries
    assert "Die Zeit" in entries and ": Bulgarien führt den Euro ein (de)" in entries
    assert '<a href="https://outlet.example/' in entries  # the other entry keeps its link


def test_an_edited_entry_shows_on_the_published_page_at_once(
        chosen, make_user, desk_client, client, django_capture_on_commit_callbacks):
    editor = make_user("Editor")
    desk = desk_client(editor)
    review = make_review(chosen, desk)
    desk.post(f"/desk/ingest/press-review/{review.pk}/", entries_form(review, ["First.", "B."]))
    TRANSITIONS["publish"].execute(editor, review)
    url = Article.objects.get().get_absolute_url()
    assert "First." in client.get(url).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):  # the cache renews on commit
        desk.post(f"/desk/ingest/press-review/{review.pk}/",
                  entries_form(review, ["Second.", "B."]))
    html = client.get(url).content.decode()
    assert "Second." in html and "First." not in html


@pytest.mark.parametrize("sent", [["²"], ["99999999999999999999999"], ["9" * 5000]])
def test_items_that_cannot_be_keys_make_no_review(chosen, make_user, desk_client, sent):
    answer = desk_client(make_user("Editor")).post("/desk/ingest/press-review/", {
        "items": sent, "review": "²", "subject": "Bulgaria"})
    assert answer.status_code == 302
    assert answer["Location"] == "/desk/ingest/monitor/"
    assert not Article.objects.filter(kind=Article.Kind.PRESS_REVIEW).exists()
