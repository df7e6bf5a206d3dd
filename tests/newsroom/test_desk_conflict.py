"""A refused save shows both versions field by field and lets the editor merge, then save."""

import re

import pytest
from django.test import Client

from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article, Revision

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return f"/desk/newsroom/article/{article.pk}/change/"


def checked(page: str, field: str) -> str:
    """Which choice the conflict panel starts on for a field."""
    found = re.search(rf'name="conflict-{field}" value="(\w+)" checked', page)
    return found.group(1) if found else ""


def ann_and_ben(make_user) -> tuple[Client, Client]:
    """Two editors, each logged in on a browser of their own."""
    clients = []
    for name in ("ann", "ben"):
        client = Client()
        client.force_login(make_user("Editor", name))
        clients.append(client)
    return clients[0], clients[1]


@pytest.fixture
def two_editors(make_user, make_article, make_tag):
    article = make_article("Flood warning", standfirst="Rivers rise.",
                           body="<p>Water is rising in the valley.</p>")
    record_revision(article, None)  # as when it was written on the desk: version 1's text
    ann, ben = ann_and_ben(make_user)
    # Both open version 1; Ann saves first: a new standfirst and a tag.
    opened = article_post_data(article)
    storm = make_tag("Storms")
    saved = ann.post(change_url(article), {**opened, "standfirst": "Rivers burst their banks.",
                                           "tags": [storm.pk]})
    assert saved.status_code == 302
    return article, ann, ben, opened, storm


def test_a_refused_save_shows_each_differing_field_as_a_word_diff(two_editors):
    article, _ann, ben, opened, _storm = two_editors
    refused = ben.post(change_url(article), {
        **opened, "headline": "Flood warning for the north",
        "body": "<p>Water is rising fast in the valley.</p>"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert 'id="conflict"' in page
    rows = re.findall(r'<tr class="conflict-row" data-field="(\w+)"', page)
    assert sorted(rows) == ["body", "headline", "standfirst", "tags"]
    assert "<del>burst their banks</del><ins>rise</ins>" in page  # theirs -> mine
    assert "Water is rising<ins> fast</ins> in the valley." in page
    # Fields only Ann changed start on "theirs"; fields Ben changed start on "mine".
    assert [checked(page, f) for f in ("standfirst", "tags", "headline", "body")] == [
        "theirs", "theirs", "mine", "mine"]
    # The form now carries version 2, and the page still names the stored headline.
    assert re.search(r'name="base_version" value="2"', page)
    assert "<title>Error: Flood warning |" in page
    assert "Someone else saved this article after you opened it" in page
    assert Revision.objects.filter(kind=Revision.Kind.REFUSED).count() == 1


def test_saving_after_the_conflict_applies_the_choices(two_editors):
    article, _ann, ben, opened, storm = two_editors
    mine = {**opened, "headline": "Flood warning for the north",
            "body": "<p>Water is rising fast in the valley.</p>"}
    ben.post(change_url(article), mine)
    merged = ben.post(change_url(article), {
        **mine, "base_version": 2, "conflict-headline": "mine", "conflict-body": "mine",
        "conflict-standfirst": "theirs", "conflict-tags": "theirs"})
    assert merged.status_code == 302
    article.refresh_from_db()
    assert article.version == 3
    assert article.headline == "Flood warning for the north"  # Ben's
    assert article.body == "<p>Water is rising fast in the valley.</p>"  # Ben's
    assert article.standfirst == "Rivers burst their banks."  # Ann's, kept
    assert list(article.tags.all()) == [storm]  # Ann's, kept


def test_take_all_theirs_keeps_the_stored_story(two_editors):
    article, _ann, ben, opened, _storm = two_editors
    mine = {**opened, "headline": "Ben's headline"}
    ben.post(change_url(article), mine)
    choices = {f"conflict-{f}": "theirs" for f in ("headline", "standfirst", "tags")}
    assert ben.post(change_url(article), {**mine, "base_version": 2, **choices}).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.standfirst) == ("Flood warning", "Rivers burst their banks.")


def test_a_third_save_in_between_shows_the_conflict_again(two_editors, make_user):
    article, ann, ben, opened, storm = two_editors
    mine = {**opened, "headline": "Ben's headline"}
    ben.post(change_url(article), mine)
    # Ann saves again while Ben is choosing.
    article.refresh_from_db()
    assert ann.post(change_url(article), article_post_data(
        article, dateline="SOFIA", tags=[storm.pk])).status_code == 302
    again = ben.post(change_url(article), {**mine, "base_version": 2,
                                           "conflict-standfirst": "theirs"})
    assert again.status_code == 200
    page = again.content.decode()
    assert 'data-field="dateline"' in page
    assert re.search(r'name="base_version" value="3"', page)
    article.refresh_from_db()
    assert (article.version, article.headline, article.dateline) == (3, "Flood warning", "SOFIA")
    # Now with the version it was shown: saved, and Ann's dateline taken as chosen.
    done = ben.post(change_url(article), {**mine, "base_version": 3,
                                          "conflict-dateline": "theirs",
                                          "conflict-standfirst": "theirs",
                                          "conflict-tags": "theirs"})
    assert done.status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.dateline, article.standfirst) == (
        "Ben's headline", "SOFIA", "Rivers burst their banks.")


def test_a_conflict_with_no_difference_left_just_saves_next_time(two_editors):
    article, _ann, ben, opened, storm = two_editors
    same = {**opened, "standfirst": "Rivers burst their banks.", "tags": [storm.pk]}
    page = ben.post(change_url(article), same).content.decode()
    assert "Your text and theirs are now the same" in page
    assert ben.post(change_url(article), {**same, "base_version": 2}).status_code == 302
    assert Article.objects.get(pk=article.pk).version == 3


def test_every_field_only_the_other_editor_changed_starts_on_theirs(
    make_user, make_article, make_section, make_author
):
    article = make_article("Flood warning", standfirst="Rivers rise.")
    record_revision(article, None)
    ann, ben = ann_and_ben(make_user)
    opened = article_post_data(article)
    sport, reuters = make_section("Sport"), make_author("Reuters desk")
    theirs = {"slug": "flood-warning-north", "byline_text": "Reader report by Ann",
              "section": sport.pk, "dateline": "VARNA", "authors": [reuters.pk],
              "original_url": "https://example.org/flood"}
    assert ann.post(change_url(article), {**opened, **theirs}).status_code == 302
    page = ben.post(change_url(article), {**opened, "headline": "Ben's"}).content.decode()
    assert {f: checked(page, f) for f in theirs} == dict.fromkeys(theirs, "theirs")
    assert checked(page, "headline") == "mine"
    assert ben.post(change_url(article), {
        **opened, "headline": "Ben's", "base_version": 2,
        **{f"conflict-{f}": checked(page, f) for f in [*theirs, "headline"]}},
    ).status_code == 302
    article.refresh_from_db()
    assert (article.headline, article.slug, article.byline_text, article.section, article.dateline,
            list(article.authors.all()), article.original_url) == (
        "Ben's", "flood-warning-north", "Reader report by Ann", sport, "VARNA", [reuters],
        "https://example.org/flood")


def test_without_the_version_opened_on_record_every_difference_waits_for_a_choice(
        make_user, make_article, make_tag):
    """A story no save had recorded (a draft from the monitor) started every field on "Keep
    mine": the other editor's standfirst and tags, which this one never touched, were wiped
    by the next Save, as the panel said to press."""
    article = make_article("Flood warning", standfirst="Rivers rise.")  # no revision
    ann, ben = ann_and_ben(make_user)
    opened = article_post_data(article)
    storm = make_tag("Storms")
    assert ann.post(change_url(article), {**opened, "standfirst": "Rivers burst their banks.",
                                          "tags": [storm.pk]}).status_code == 302
    mine = {**opened, "dateline": "SOFIA"}
    page = ben.post(change_url(article), mine).content.decode()
    assert [checked(page, f) for f in ("standfirst", "tags", "dateline")] == ["", "", ""]
    needed = re.findall(r'name="conflict-needed" value="(\w+)"', page)
    assert sorted(needed) == ["dateline", "standfirst", "tags"]
    again = ben.post(change_url(article), {**mine, "base_version": 2,
                                           "conflict-needed": needed})
    assert again.status_code == 200  # refused: nothing chosen
    stored = Article.objects.get(pk=article.pk)
    assert stored.standfirst == "Rivers burst their banks." and list(stored.tags.all()) == [storm]
    assert not stored.dateline


def test_changes_to_different_paragraphs_of_the_body_are_both_kept(make_user, make_article):
    """Ann fixed the lead, Ben added to the last paragraph; Ben could keep his body or hers,
    and one change was lost unless he typed it in again."""
    article = make_article("Flood warning", body="<p>Water is rising.</p><p>Roads close.</p>")
    record_revision(article, None)
    ann, ben = ann_and_ben(make_user)
    opened = article_post_data(article)
    ann.post(change_url(article), {**opened, "body": "<p>Water is rising fast.</p>"
                                                     "<p>Roads close.</p>"})
    refused = ben.post(change_url(article), {
        **opened, "body": "<p>Water is rising.</p><p>Roads close at noon.</p>"}).content.decode()
    assert checked(refused, "body") == "both"
    merged = re.search(r'name="conflict-merged-body" value="([^"]*)"', refused).group(1)
    assert merged == ("&lt;p&gt;Water is rising fast.&lt;/p&gt;"
                      "&lt;p&gt;Roads close at noon.&lt;/p&gt;")
    # His second save, with the panel's choice as it stands (the merged text is the page's).
    import html

    saved = ben.post(change_url(article), {
        **opened, "base_version": 2, "body": "<p>Water is rising.</p><p>Roads close at noon.</p>",
        "conflict-body": "both", "conflict-merged-body": html.unescape(merged)})
    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Water is rising fast.</p><p>Roads close at noon.</p>"

    # Where both changed the same paragraph, no "Keep both" is offered.
    again = article_post_data(article)
    ann.post(change_url(article), {**again, "body": "<p>Water rises.</p>"
                                                    "<p>Roads close at noon.</p>"})
    refused = ben.post(change_url(article), {**again, "body": "<p>Water is rising faster."
                                             "</p><p>Roads close at noon.</p>"}).content.decode()
    assert checked(refused, "body") == "" and 'value="both"' not in refused


@pytest.fixture
def same_paragraph(make_user, make_article):
    """Ann and Ben both rewrote the one paragraph of the body from version 1."""
    article = make_article("Flood warning", body="<p>Water is rising.</p>")
    record_revision(article, None)
    ann, ben = ann_and_ben(make_user)
    opened = article_post_data(article)
    ann.post(change_url(article), {**opened, "body": "<p>Water rises, the mayor says.</p>"})
    bens = {**opened, "body": "<p>Water is rising faster.</p>"}
    refused = ben.post(change_url(article), bens).content.decode()
    return article, ben, bens, refused


def test_a_field_both_changed_starts_on_no_choice(same_paragraph):
    """It started on "Keep mine": a second Save without looking dropped Ann's words."""
    _article, _ben, _bens, refused = same_paragraph
    assert checked(refused, "body") == ""
    assert re.search(r'name="conflict-needed" value="body"', refused)
    assert "You both changed it: choose" in refused
    assert len(re.findall(r'name="conflict-body" value="\w+" required', refused)) == 2


def test_saving_again_without_choosing_is_refused_and_saves_nothing(same_paragraph):
    article, ben, bens, _refused = same_paragraph
    again = ben.post(change_url(article), {**bens, "base_version": 2,
                                           "conflict-needed": "body"})
    assert again.status_code == 200
    page = again.content.decode()
    assert "You and they both changed Body" in page and "Nothing was saved yet" in page
    assert 'id="conflict"' in page and checked(page, "body") == ""
    article.refresh_from_db()
    assert (article.version, article.body) == (2, "<p>Water rises, the mayor says.</p>")
    # Chosen, it saves: his words, with hers in the revisions.
    chosen = ben.post(change_url(article), {**bens, "base_version": 2,
                                            "conflict-needed": "body", "conflict-body": "mine"})
    assert chosen.status_code == 302
    article.refresh_from_db()
    assert (article.version, article.body) == (3, "<p>Water is rising faster.</p>")


def test_a_choice_already_made_is_kept_when_the_panel_is_shown_again(two_editors):
    article, _ann, ben, opened, _storm = two_editors
    bens = {**opened, "standfirst": "Rivers rise fast."}  # Ann changed it too
    refused = ben.post(change_url(article), bens).content.decode()
    assert checked(refused, "standfirst") == "" and checked(refused, "tags") == "theirs"
    page = ben.post(change_url(article), {
        **bens, "base_version": 2, "conflict-needed": "standfirst",
        "conflict-tags": "mine"}).content.decode()
    assert checked(page, "tags") == "mine" and checked(page, "standfirst") == ""


def test_the_same_editor_in_two_windows_is_told_so_not_someone_else(make_user, make_article):
    article = make_article("Flood warning")
    record_revision(article, None)
    ann = make_user("Editor", "ann")
    first, second = Client(), Client()
    first.force_login(ann)
    second.force_login(ann)
    opened = article_post_data(article)
    first.post(change_url(article), {**opened, "standfirst": "From the first window."})
    page = second.post(change_url(article), {**opened, "standfirst": "From the second."})
    assert "You saved (in another window) this article after you opened it" in (
        page.content.decode())
    # The panel's heading too: it said "Someone else saved this story".
    assert "You saved this story in another window" in page.content.decode()
    assert "Someone else saved" not in page.content.decode()


def test_a_reporter_opening_a_colleagues_story_is_told_it_is_not_theirs(
        desk_client, make_user, make_article):
    """It said "Article with ID 15122 does not exist. Perhaps it was deleted?"."""
    article = make_article("Colleague's scoop", status=Article.Status.DRAFT, published_at=None,
                           created_by=make_user("Reporter", "rita"))
    client = desk_client(make_user("Reporter", "ray"))
    shown = client.get(change_url(article), follow=True).content.decode()
    assert "This story is another writer&#x27;s: your role opens only your own" in shown
    gone = client.get(change_url(article).replace(str(article.pk), "999999"), follow=True)
    assert "This story no longer exists: it was deleted." in gone.content.decode()


def test_a_save_from_a_page_drawn_before_a_colleague_published_goes_out_only_when_asked(
        make_user, make_article):
    """Ann had the story open "In review" and typed a reminder into it; Ben ran "Publish
    selected now" from the list, which no version counts. Ann's Save put the reminder on the
    site, unasked."""
    article = make_article("Council budget", status=Article.Status.REVIEW, published_at=None,
                           body="<p>The council met.</p>")
    ann, ben = ann_and_ben(make_user)
    page = ann.get(change_url(article)).content.decode()
    assert 'name="opened_status" value="review"' in page
    typed = {**article_post_data(article), "opened_status": "review",
             "body": "<p>The council met. [TK: CONFIRM COST WITH CITY HALL]</p>"}
    ran = ben.post("/desk/newsroom/article/", {
        "action": "publish_selected", "_selected_action": [article.pk],
        "seen_status": f"{article.pk}:review"})
    assert ran.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.version == 1

    held = ann.post(change_url(article), typed)
    assert held.status_code == 200
    page = held.content.decode()
    assert re.search(r"ben published this story at \d\d:\d\d:\d\d after you opened it: it is "
                     r"now published\. Your text was not applied", page)
    assert "CONFIRM COST" in page  # still in the form
    assert 'name="opened_status" value="published"' in page
    article.refresh_from_db()
    assert "CONFIRM" not in article.body and article.version == 1
    kept = Revision.objects.get(kind=Revision.Kind.REFUSED)
    assert "CONFIRM COST" in kept.body

    # Saved again from the page that now says so: applied, knowingly.
    saved = ann.post(change_url(article), {**typed, "opened_status": "published"})
    assert saved.status_code == 302
    article.refresh_from_db()
    assert "CONFIRM COST" in article.body and article.status == Article.Status.PUBLISHED


def test_a_story_sent_back_to_its_reporter_meanwhile_takes_the_save(make_user, make_article):
    """Only a move that takes the text to readers holds a save: a draft is nobody's page."""
    article = make_article("Council budget", status=Article.Status.REVIEW, published_at=None)
    ann, _ben = ann_and_ben(make_user)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    saved = ann.post(change_url(article), {**article_post_data(article),
                                           "opened_status": "review", "headline": "Budget"})
    assert saved.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Budget"


def test_live_coverage_a_colleague_turned_on_stays_on_through_a_save_that_never_showed_it(
        make_user, make_article):
    """Ben's first live entry turns the story into live coverage (no new version); Ann's page,
    drawn before, posted its unticked box with her headline fix, and the coverage left the
    readers' page."""
    article = make_article("Storm hits the coast")
    ann, _ben = ann_and_ben(make_user)
    page = ann.get(change_url(article)).content.decode()
    assert 'name="opened_live" value="0"' in page
    opened = {**article_post_data(article), "opened_live": "0"}
    article.is_live_coverage = True  # as dateline.live's first entry does
    article.save(update_fields=["is_live_coverage"], for_partners=False)
    assert ann.post(change_url(article), {**opened, "headline": "Storm hits the north coast"}
                    ).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Storm hits the north coast" and article.is_live_coverage
    # Unticked by an editor whose page showed it on, it goes off.
    shown_on = {**article_post_data(article), "opened_live": "1"}
    assert ann.post(change_url(article), shown_on).status_code == 302
    article.refresh_from_db()
    assert not article.is_live_coverage
