"""No edit is ever lost: unsaved text kept while typing, restored, and saved before any action."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article, Autosave

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return f"/desk/newsroom/article/{article.pk}/change/"


def keep(client, url: str, payload) -> object:
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


def form_data(article, **changes) -> dict[str, list[str]]:
    """The form as editor.js sends it: every field a list of values."""
    return {k: [str(v)] for k, v in article_post_data(article, **changes).items()
            if k != "base_version"}


def test_text_typed_is_kept_and_shown_again_when_the_story_is_opened(
    desk_client, make_user, make_article
):
    editor = make_user("Editor", "ann")
    client = desk_client(editor)
    article = make_article("Storm", standfirst="Winds rise.")
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    answer = keep(client, url, {"base_version": 1,
                                "data": form_data(article, standfirst="Winds reach 120 km/h.")})
    assert answer.status_code == 200 and answer.json()["ok"]
    assert Autosave.objects.get(article=article, user=editor).data["standfirst"] == [
        "Winds reach 120 km/h."]
    # Typed again: still one row for this editor and story.
    keep(client, url, {"base_version": 1, "data": form_data(article, standfirst="Gusts.")})
    assert Autosave.objects.filter(article=article).count() == 1

    page = client.get(change_url(article)).content.decode()
    assert "Unsaved text from" in page and "restored" in page
    # The site's clock, named: an editor abroad read it as their own.
    assert re.search(r"Unsaved text from \d\d:\d\d:\d\d EES?T restored", page)
    assert ">\nGusts.</textarea>" in page or ">Gusts.</textarea>" in page
    assert 'data-unsaved="1"' in page  # editor.js counts it as unsaved: leaving warns
    article.refresh_from_db()
    assert article.standfirst == "Winds rise."  # restored on screen, not saved


def test_a_real_save_deletes_the_kept_text(desk_client, make_user, make_article):
    editor = make_user("Editor")
    client = desk_client(editor)
    article = make_article("Storm")
    keep(client, f"/desk/newsroom/article/{article.pk}/autosave/",
         {"base_version": 1, "data": form_data(article, standfirst="Typed.")})
    saved = client.post(change_url(article), article_post_data(article, standfirst="Typed."))
    assert saved.status_code == 302
    assert not Autosave.objects.exists()
    assert "Unsaved text from" not in client.get(change_url(article)).content.decode()


def test_a_save_in_one_tab_keeps_the_text_another_tab_typed(desk_client, make_user,
                                                            make_article):
    """Tab 2 typed (kept, "Draft kept at …"), tab 1 saved: the save deleted tab 2's text."""
    client = desk_client(make_user("Editor"))
    article = make_article("Storm")
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    keep(client, url, {"base_version": 1, "page": "tab-2",
                       "data": form_data(article, standfirst="Typed in tab 2.")})
    saved = client.post(change_url(article), {**article_post_data(
        article, headline="Saved in tab 1"), "_page": "tab-1"})
    assert saved.status_code == 302
    kept = Autosave.objects.get(article=article)
    assert kept.data["standfirst"] == ["Typed in tab 2."]
    # Opened again, the page restores it (to merge with the newer version), as that page's.
    page = client.get(change_url(article)).text
    assert "Unsaved text from" in page and 'data-page-key="tab-2"' in page
    # That page's own save has done the text's job: it goes.
    article.refresh_from_db()
    client.post(change_url(article), {**article_post_data(article, standfirst="Typed in tab 2."),
                                      "_page": "tab-2"})
    assert not Autosave.objects.exists()


def test_a_story_never_saved_is_kept_and_restored_in_add_article(desk_client, make_user,
                                                                  make_section):
    reporter = make_user("Reporter")
    client = desk_client(reporter)
    section = make_section("World")
    answer = keep(client, "/desk/newsroom/article/autosave/", {"base_version": 0, "data": {
        "headline": ["Bridge closes"], "standfirst": ["Traffic diverted."],
        "section": [str(section.pk)]}})
    assert answer.status_code == 200
    assert Autosave.objects.get(article=None, user=reporter)
    # Offered, not poured into the new page: a reporter starting another story typed into
    # the middle of it.
    page = client.get("/desk/newsroom/article/add/").content.decode()
    assert "You left a new story unsaved at" in page and "“Bridge closes”" in page
    assert 'href="?restore=1"' in page and 'value="Bridge closes"' not in page
    page = client.get("/desk/newsroom/article/add/?restore=1").content.decode()
    assert "Unsaved text from" in page
    assert 'value="Bridge closes"' in page
    created = client.post("/desk/newsroom/article/add/", {
        "headline": "Bridge closes", "slug": "", "standfirst": "Traffic diverted.",
        "body": "<p>Text.</p>", "dateline": "", "section": section.pk, "original_url": "",
    })
    assert created.status_code == 302, created.content.decode()[:2000]
    assert not Autosave.objects.exists()


def test_kept_text_is_refused_to_those_who_may_not_edit_and_when_malformed(
    desk_client, make_user, make_article
):
    article = make_article("Published story", status=Article.Status.PUBLISHED)
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    contributor = desk_client(make_user("Contributor"))
    refused = keep(contributor, url, {"base_version": 1, "data": {"headline": ["Mine now"]}})
    assert refused.status_code == 403 and refused.json()["ok"] is False
    assert not Autosave.objects.exists()

    editor = desk_client(make_user("Editor"))
    assert keep(editor, url, "not json").status_code == 400
    assert keep(editor, url, {"base_version": 1, "data": {"headline": [1, 2]}}).status_code == 400
    gone = keep(editor, "/desk/newsroom/article/999999/autosave/",
                {"base_version": 1, "data": {}})
    # Shown as "Draft not kept: this story was deleted meanwhile. …" on the page.
    assert gone.status_code == 410
    assert gone.json()["error"].startswith("this story was deleted meanwhile. Your text is")
    assert editor.get(url).status_code == 405


def test_oversized_text_is_refused_with_json(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article()
    huge = {"base_version": 1, "data": {"body": ["x" * (2 * 1024 * 1024 + 1)]}}
    answer = keep(client, f"/desk/newsroom/article/{article.pk}/autosave/", huge)
    assert answer.status_code == 413
    assert "larger than 2 MB" in answer.json()["error"]
    assert not Autosave.objects.exists()


def test_discarding_kept_text(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article()
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    keep(client, url, {"base_version": 1, "data": form_data(article, headline="Draft")})
    assert keep(client, url, {"discard": True}).json()["discarded"] is True
    assert not Autosave.objects.exists()


def test_publish_now_saves_the_text_on_the_screen_first(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article("Election result", standfirst="Counting goes on.",
                           status=Article.Status.DRAFT, published_at=None)
    response = client.post(change_url(article), {
        **article_post_data(article, standfirst="The mayor is re-elected."),
        "_workflow": "publish", "wf-publish-note": "checked", "wf-publish-seen_status": "draft",
    })
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.standfirst == "The mayor is re-elected."
    assert article.version == 2
    assert article.audit_log.filter(action="publish", note__contains="checked").exists()


def test_a_stale_publish_publishes_nothing_and_shows_the_conflict(
    desk_client, make_user, make_article
):
    from django.test import Client

    article = make_article("Election result", standfirst="Counting goes on.",
                           status=Article.Status.DRAFT, published_at=None)
    first = desk_client(make_user("Editor", "ann"))
    assert first.post(change_url(article), article_post_data(
        article, standfirst="Counting is over.")).status_code == 302
    second = Client()
    second.force_login(make_user("Editor", "ben"))
    response = second.post(change_url(article), {
        **article_post_data(article, headline="Mayor wins"), "_workflow": "publish",
        "wf-publish-seen_status": "draft"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="conflict"' in page
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert (article.headline, article.standfirst) == ("Election result", "Counting is over.")


def test_a_move_chosen_on_a_page_left_open_is_not_done_once_another_moved_the_story(
    desk_client, make_user, make_article
):
    """Ann's page offered Publish now; meanwhile Ben published the story and killed it (a
    legal kill). Ann's click republished it, with no word of the kill."""
    from dateline.newsroom.actions import TRANSITIONS

    article = make_article("Minister resigns", status=Article.Status.DRAFT, published_at=None)
    ann = desk_client(make_user("Editor", "ann"))
    page = ann.get(change_url(article)).content.decode()
    assert 'name="wf-publish-seen_status" value="draft"' in page
    assert 'name="seen_status" value="draft"' not in page  # Ann edits: the editor's own form
    ben = make_user("Editor", "ben")
    TRANSITIONS["publish"].execute(ben, article)
    TRANSITIONS["unpublish"].execute(ben, article, note="legal kill")

    response = ann.post(change_url(article), {
        **article_post_data(article), "_workflow": "publish", "wf-publish-seen_status": "draft"},
        follow=True)
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    assert list(article.audit_log.values_list("action", flat=True)) == ["unpublish", "publish"]
    shown = response.content.decode()
    assert "The story is killed now, not draft as on your page: ben moved it at" in shown
    assert "Nothing was done; look at it again before you choose “Publish now”." in shown

    # The form of those who may not edit the text, posted to the action's own address.
    answer = desk_client(make_user("Editor", "cy")).post(
        f"/desk/newsroom/article/{article.pk}/workflow/publish/",
        {"seen_status": "draft"}, follow=True)
    assert "The story is killed now, not draft as on your page" in answer.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED

    # A post that names no state (a page older than this check, a script) moves nothing.
    blind = desk_client(make_user("Editor", "dee")).post(
        f"/desk/newsroom/article/{article.pk}/workflow/publish/", {}, follow=True)
    assert "This page does not say which state it showed the story in" in (
        blind.content.decode())
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED


@pytest.mark.parametrize("changed", [False, True])
def test_a_move_on_a_page_left_open_says_what_moved_the_story_not_a_merge(
    desk_client, make_user, make_article, changed
):
    """Ben saved and published from his page, then killed the story; Ann's "Publish now" on
    her page met a newer version and showed a merge panel of texts that did not differ,
    never saying the story was killed."""
    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.models import Revision

    article = make_article("Minister resigns", status=Article.Status.REVIEW, published_at=None)
    ann = desk_client(make_user("Editor", "ann"))
    opened = article_post_data(article)  # Ann's page, at version 1
    ben = desk_client(make_user("Editor", "ben"))
    ben.post(change_url(article), {**article_post_data(article), "_workflow": "publish",
                                   "wf-publish-seen_status": "review"})
    article.refresh_from_db()
    assert (article.status, article.version) == (Article.Status.PUBLISHED, 2)
    TRANSITIONS["unpublish"].execute(article.revisions.last().created_by, article,
                                     note="legal kill")
    if changed:
        opened["standfirst"] = "Ann's new standfirst."
    response = ann.post(change_url(article), {
        **opened, "_workflow": "publish", "wf-publish-seen_status": "review"}, follow=True)
    shown = response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.version) == (Article.Status.UNPUBLISHED, 2)
    assert "The story is killed now, not in review as on your page: ben" in shown
    assert 'id="conflict"' not in shown
    refused = Revision.objects.filter(article=article, kind=Revision.Kind.REFUSED)
    if changed:
        kept = refused.get()
        assert kept.standfirst == "Ann's new standfirst."
        assert f"Your changes are kept as revision {kept.pk}, under Revisions." in shown
    else:
        assert not refused.exists() and "Your changes are kept" not in shown


def test_a_reporters_text_sent_after_an_editor_published_the_story_is_kept_not_lost(
    desk_client, make_user, make_article
):
    """The save answered a bare 403 and the reporter's text was gone."""
    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.models import Revision

    reporter = make_user("Reporter", "rita")
    article = make_article("Storm nears coast", status=Article.Status.DRAFT, published_at=None,
                           created_by=reporter)
    client = desk_client(reporter)
    assert client.get(change_url(article)).status_code == 200
    TRANSITIONS["publish"].execute(make_user("Editor", "ed"), article)

    response = client.post(change_url(article), article_post_data(
        article, standfirst="Winds of 120 km/h are expected tonight."), follow=True)
    assert response.status_code == 200
    kept = Revision.objects.get(article=article, kind=Revision.Kind.REFUSED)
    assert kept.created_by == reporter
    assert kept.standfirst == "Winds of 120 km/h are expected tonight."
    shown = response.content.decode()
    assert "Your text was not applied: the story is published now (ed moved it at" in shown
    assert f"It is kept as revision {kept.pk}, under Revisions" in shown
    article.refresh_from_db()
    assert article.standfirst != kept.standfirst and article.status == Article.Status.PUBLISHED
    # Someone else's story stays closed to them, as before (the desk does not show it to
    # them: back to their story list, told why), and nothing of theirs is kept on it.
    other = make_article("Not hers", status=Article.Status.DRAFT, published_at=None)
    assert client.post(change_url(other), article_post_data(other))["Location"] == (
        "/desk/newsroom/article/")
    assert not Revision.objects.filter(article=other, kind=Revision.Kind.REFUSED).exists()


def test_schedule_to_the_second_in_the_site_zone(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article("Budget", status=Article.Status.DRAFT, published_at=None)
    page = client.get(change_url(article)).content.decode()
    assert 'step="1" name="wf-schedule-at"' in page
    assert "Europe/Sofia, UTC+0" in page  # the zone the time is typed in, with its offset
    at = timezone.localtime() + timedelta(days=1)
    typed = at.strftime("%Y-%m-%dT%H:%M:") + "02"
    response = client.post(change_url(article), {
        **article_post_data(article, standfirst="Tomorrow's budget."), "_workflow": "schedule",
        "wf-schedule-at": typed, "wf-schedule-seen_status": article.status})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    assert timezone.localtime(article.scheduled_for).strftime("%Y-%m-%dT%H:%M:%S") == typed
    assert article.standfirst == "Tomorrow's budget."
    shown = client.get(change_url(article)).content.decode()
    assert f"goes live {typed.replace('T', ' ')} EE" in shown  # EET or EEST: zone named


def test_an_action_refused_after_the_save_keeps_the_text_and_says_why(
    desk_client, make_user, make_article
):
    client = desk_client(make_user("Editor"))
    article = make_article("Budget", status=Article.Status.DRAFT, published_at=None)
    response = client.post(change_url(article), {
        **article_post_data(article, standfirst="Saved anyway."), "_workflow": "schedule",
        "wf-schedule-at": "2001-01-01T10:00:00", "wf-schedule-seen_status": "draft"},
        follow=True)
    page = response.content.decode()
    assert "Your text is saved, but not “Schedule”" in page and "in the past" in page
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.standfirst == "Saved anyway."


def test_too_many_requests_are_refused_with_json(desk_client, make_user, make_article,
                                                 settings):
    settings.DATELINE_DESK_JSON_PER_MINUTE = 3
    client = desk_client(make_user("Editor"))
    article = make_article()
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    answers = [keep(client, url, {"base_version": 1, "data": {"headline": [f"Take {n}"]}})
               for n in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["ok"] is False and int(answers[-1]["Retry-After"]) >= 1
    assert Autosave.objects.get().data["headline"] == ["Take 2"]


def test_a_post_without_the_pages_csrf_token_is_refused_with_json(make_user, make_article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    article = make_article()
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    payload = {"base_version": 1, "data": {"headline": ["Forged"]}}
    refused = keep(client, url, payload)
    assert refused.status_code == 403 and "security token" in refused.json()["error"]
    assert not Autosave.objects.exists()
    client.get(f"/desk/newsroom/article/{article.pk}/change/")  # the page sets the token
    token = client.cookies["csrftoken"].value
    sent = client.post(url, json.dumps(payload), content_type="application/json",
                       headers={"X-CSRFToken": token})
    assert sent.status_code == 200
    assert Autosave.objects.get().data["headline"] == ["Forged"]


def test_an_invalid_form_runs_no_action(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article("Budget", status=Article.Status.DRAFT, published_at=None)
    response = client.post(change_url(article), {
        **article_post_data(article, headline=""), "_workflow": "publish",
        "wf-publish-seen_status": article.status})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.headline, article.version) == (
        Article.Status.DRAFT, "Budget", 1)


def test_text_kept_on_an_older_version_is_restored_and_its_save_asks_to_merge(
    make_user, make_article
):
    from django.test import Client

    article = make_article("Storm", standfirst="Winds rise.")
    ann, ben = Client(), Client()
    ann.force_login(make_user("Editor", "ann"))
    ben_user = make_user("Editor", "ben")
    ben.force_login(ben_user)
    keep(ben, f"/desk/newsroom/article/{article.pk}/autosave/",
         {"base_version": 1, "data": form_data(article, headline="Storm hits the coast")})
    # Ben's browser dies; Ann saves meanwhile.
    assert ann.post(change_url(article), article_post_data(
        article, standfirst="Winds reach 120 km/h.")).status_code == 302
    page = ben.get(change_url(article)).content.decode()
    assert "the story has been saved since" in page
    assert 'name="base_version" value="1"' in page  # his text's own version, not Ann's
    refused = ben.post(change_url(article),
                       article_post_data(article, headline="Storm hits the coast"))
    assert 'id="conflict"' in refused.content.decode()
    article.refresh_from_db()
    assert (article.headline, article.standfirst) == ("Storm", "Winds reach 120 km/h.")
    assert Autosave.objects.filter(user=ben_user).exists()  # still kept until a real save


@pytest.mark.parametrize("base", [2**31, 2**63, 10**30, -(10**30), -1, True])
def test_a_version_no_story_has_is_refused_with_json(desk_client, make_user, make_article, base):
    client = desk_client(make_user("Editor"))
    article = make_article()
    for url in (f"/desk/newsroom/article/{article.pk}/autosave/",
                "/desk/newsroom/article/autosave/"):
        answer = keep(client, url, {"base_version": base, "data": {"headline": ["Draft"]}})
        assert answer.status_code == 400, url
        if abs(base) > 2**63:
            assert answer.json()["error"] == "A number in the request is larger than any record's."
    assert not Autosave.objects.exists()
    highest = keep(client, f"/desk/newsroom/article/{article.pk}/autosave/",
                   {"base_version": Article.HIGHEST_VERSION, "data": {"headline": ["Draft"]}})
    assert highest.status_code == 200


def test_json_nested_past_the_parsers_stack_is_a_400_not_a_500(desk_client, make_user,
                                                                make_article):
    client = desk_client(make_user("Editor", "ann"))
    article = make_article("Storm")
    for url in (f"/desk/newsroom/article/{article.pk}/autosave/",
                "/desk/newsroom/article/autosave/"):
        answer = keep(client, url, "[" * 100_000)
        assert answer.status_code == 400 and answer.json()["error"] == "The request is not JSON."


def test_the_note_sent_with_a_return_is_on_the_reporters_story_page(
    desk_client, make_user, make_article
):
    """It was only in the audit log, which a reporter is not shown the way to."""
    from dateline.newsroom.actions import TRANSITIONS

    reporter = make_user("Reporter", "rita")
    article = make_article("Ships wait at port", status=Article.Status.REVIEW, published_at=None,
                           created_by=reporter)
    editor = make_user("Editor", "ann")
    editor.first_name, editor.last_name = "Ann", "Lee"
    editor.save()
    TRANSITIONS["return"].execute(editor, article,
                                  note="Please add a line on how long ships have waited.")
    page = desk_client(reporter).get(change_url(article)).content.decode()
    assert "“Return to reporter” by Ann Lee at" in page
    assert "Please add a line on how long ships have waited." in page
    TRANSITIONS["submit"].execute(reporter, article)  # sent again, with no note: none shown
    page = desk_client(reporter).get(change_url(article)).content.decode()
    assert "Please add a line" not in page


def test_half_a_surrogate_pair_kept_leaves_the_pages_opening(desk_client, make_user,
                                                             make_article):
    """JSON.stringify writes text pasted with a broken UTF-16 pair as "\\ud800": kept as it
    came, it made the story's page, and Add article, a 500 each time the editor opened them,
    with no way to the Discard button. It is kept as U+FFFD, as a browser's form sends it."""
    editor = make_user("Editor", "ann")
    client = desk_client(editor)
    article = make_article("Storm")
    body = ('{"base_version": 1, "data": {"headline": ["Lone \\ud800 here"],'
            ' "standfirst": ["Pair \\ud83d\\ude00 kept"]}}')
    assert keep(client, f"/desk/newsroom/article/{article.pk}/autosave/", body).status_code == 200
    assert keep(client, "/desk/newsroom/article/autosave/",
                '{"base_version": 0, "data": {"headline": ["New \\udc00"]}}').status_code == 200
    page = client.get(change_url(article))
    assert page.status_code == 200
    assert 'value="Lone \ufffd here"' in page.content.decode()
    assert "Pair \U0001f600 kept" in page.content.decode()
    for url in ("/desk/newsroom/article/add/", "/desk/newsroom/article/add/?restore=1"):
        assert client.get(url).status_code == 200, url


def test_text_typed_on_a_draft_a_colleague_published_since_is_held_at_its_first_save(
    make_user, make_article
):
    """Kept text typed on a draft, the browser gone, a colleague publishing the story from the
    list: reopened, the text came back with the page's state drawn from the story as it was
    now, and one Save put the half-written sentence before readers."""
    from django.test import Client

    from dateline.newsroom.actions import TRANSITIONS

    article = make_article("Storm", body="<p>Finished first paragraph.</p>",
                           status=Article.Status.DRAFT, published_at=None)
    ann, ann_user = Client(), make_user("Editor", "ann")
    ann.force_login(ann_user)
    half = "<p>Finished first paragraph. HALF-WRITTEN CLAIM ABOUT THE MINIS</p>"
    keep(ann, f"/desk/newsroom/article/{article.pk}/autosave/",
         {"base_version": 1, "data": {**form_data(article, body=half),
                                      "opened_status": ["draft"], "opened_live": ["0"]}})
    TRANSITIONS["publish"].execute(make_user("Editor", "ben"), article)
    page = ann.get(change_url(article)).content.decode()
    assert "It was typed while the story was draft; the story is published now" in page
    opened = re.search(r'name="opened_status" value="([a-z]*)"', page)
    assert opened and opened.group(1) == "draft"  # the page's state when it was typed
    held = ann.post(change_url(article), article_post_data(
        article, body=half, opened_status=opened.group(1), opened_live="0"))
    assert held.status_code == 200 and "Your text was not applied" in held.content.decode()
    article.refresh_from_db()
    assert "HALF-WRITTEN" not in article.body and article.status == Article.Status.PUBLISHED


def test_a_save_of_a_story_deleted_meanwhile_keeps_the_text_as_a_new_story(
    make_user, make_article, make_section
):
    """A colleague deleted the story while it was open: Save went to Django's "Perhaps it was
    deleted?" and the typed text was gone (its kept copy went with the story)."""
    from django.test import Client

    article = make_article("Storm", body="<p>First.</p>", status=Article.Status.DRAFT,
                           published_at=None)
    ann, ann_user = Client(), make_user("Editor", "ann")
    ann.force_login(ann_user)
    url = change_url(article)
    data = article_post_data(article, body="<p>First. And the sentence I typed.</p>")
    Article.objects.filter(pk=article.pk).delete()
    answer = ann.post(url, data, follow=True)
    page = answer.content.decode()
    assert answer.redirect_chain[-1][0] == "/desk/newsroom/article/add/?restore=1"
    assert "This story was deleted while you had it open" in page
    assert "And the sentence I typed." in page and "Unsaved text from" in page
    assert Autosave.objects.get(user=ann_user, article=None).data["headline"] == ["Storm"]
