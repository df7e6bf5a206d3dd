"""The intelligence panel on the article editor: what the machine drafted, and the editors'
decisions about it, by fetch (JSON) and without scripts (the whole form posted)."""

import re
from datetime import timedelta

import pytest
from django.db import connections

from dateline.intelligence.models import (
    Brief,
    Decision,
    RelatedStory,
    StoryTopic,
    TagSuggestion,
)
from dateline.intelligence.pipeline import analyse
from dateline.newsroom.models import Article, Autosave

from ..newsroom.journeys import logged_in_page
from ..newsroom.test_admin import article_post_data
from ..newsroom.test_desk_axe import RULES
from ..site.test_browser import axe_violations, record_csp_violations
from .pipeline_parts import use_test_parts

WHEAT = ("<p>Farmers near Sofia sold wheat to Acme on Monday, said Borisov.</p>"
         "<p>Wheat prices rose for a third week.</p>")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def parts(settings, tmp_path):
    use_test_parts(settings, tmp_path / "models")
    settings.DATELINE_INTELLIGENCE_APPLY_AT = 0.9


@pytest.fixture
def story(make_article):
    """An analysed story with a published story very like it and another related one."""
    make_article("Grain sales soar in Sofia", body=WHEAT)
    make_article("Wheat harvest", body="<p>The wheat harvest was early near Sofia.</p>")
    article = make_article("Grain sales", body=WHEAT, status=Article.Status.DRAFT,
                           published_at=None)
    analyse(article)
    return article


def decide(client, article, action, **fields):
    return client.post(f"/desk/intelligence/stories/{article.pk}/decide/",
                       {"intel-action": action, **fields}, **JSON)


def suggestion(article, name) -> TagSuggestion:
    return TagSuggestion.objects.get(article=article, tag__name=name)


def test_the_editor_shows_suggestions_topics_related_brief_and_the_warning(
        desk_client, make_user, story):
    page = desk_client(make_user("Editor")).get(
        f"/desk/newsroom/article/{story.pk}/change/").content.decode()
    assert 'id="intelligence"' in page and "intelligence/panel.js" in page
    assert re.search(r"Borisov.*?60%.*?“Borisov”.*?Accept", page, re.S)
    # The quoted words are evidence, a name or a cue ("Corp" for USA): never "Found in".
    assert '<th scope="col">Evidence</th>' in page and "Found in" not in page
    assert "or a word that goes with the tag in the archive" in page
    assert 'aria-label="Undo Sofia: take it off the story"' in page  # applied at 95%
    assert "Very like" in page and "“Grain sales soar in Sofia”" in page
    assert "Wheat harvest" in page and "Grain" in page
    assert "Farmers near Sofia sold wheat" in page  # the brief, in its textarea
    assert '<label for="intel-brief">' in page and 'id="intel-related-pick"' in page
    # The parts by name, as an editor reads them; the exact version on hover.
    drafted_by = re.search(r'by <span title="([^"]+)">([^<]+)</span>\.', page)
    assert drafted_by and "test-words, " in drafted_by[2] and "@" not in drafted_by[2]
    assert drafted_by[1].startswith("test-words:")


def test_unlikely_suggestions_are_folded_under_less_likely(desk_client, make_user, story):
    """A long table of 2% guesses hid the few suggestions that mattered."""
    TagSuggestion.objects.filter(article=story, tag__name="Borisov").update(confidence=0.02)
    page = desk_client(make_user("Editor")).get(
        f"/desk/newsroom/article/{story.pk}/change/").text
    folded = page[page.index('<details class="intel-less-likely">'):]
    folded = folded[:folded.index("</details>")]
    assert "Less likely (1): under 30% confidence" in folded
    assert 'aria-label="Accept Borisov"' in folded  # still decided from there
    assert page.count('aria-label="Accept Borisov"') == 1


def test_the_very_like_warning_stands_beside_the_workflow_buttons_until_published(
        desk_client, make_user, story):
    """It was only in the panel below the form, where an editor about to publish did not
    look."""
    client = desk_client(make_user("Editor"))
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    workflow = page.split('<section class="workflow"')[1].split("</section>")[0]
    twin = Article.objects.get(headline="Grain sales soar in Sofia")
    assert re.search(r'<p class="story-notice" role="note"><strong>Very like</strong> <a href="'
                     rf'/desk/newsroom/article/{twin.pk}/change/">“Grain sales soar in Sofia”'
                     r"</a> of \d{4}-\d\d-\d\d \d\d:\d\d \(\d+% the same words\)", workflow)
    story.status, story.published_at = Article.Status.PUBLISHED, twin.published_at
    story.save()
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert 'class="story-notice"' not in page.split('<section class="workflow"')[1].split(
        "</section>")[0]


def test_a_twin_published_after_the_drafts_analysis_is_flagged_when_it_opens(
        desk_client, make_user, make_article):
    """The notice read the draft's analysis, as old as its last save: a twin published since
    was never flagged, and both copies went out."""
    draft = make_article("Rail workers to strike", body=WHEAT, status=Article.Status.DRAFT,
                         published_at=None)
    analyse(draft)
    twin = make_article("Rail stoppage set for Friday", body=WHEAT)
    page = desk_client(make_user("Editor")).get(f"/desk/newsroom/article/{draft.pk}/change/").text
    workflow = page.split('<section class="workflow"')[1].split("</section>")[0]
    assert f'<strong>Very like</strong> <a href="/desk/newsroom/article/{twin.pk}/change/">' \
        in workflow
    assert page.count("“Rail stoppage set for Friday”") == 2  # the notice, and the panel


def test_a_media_topic_is_named_not_only_numbered(desk_client, make_user, story):
    """"IPTC Media Topic 04000000: 97%" told an editor nothing."""
    StoryTopic.objects.create(article=story, scheme="medtop", code="04000000",
                              confidence=0.97, origin="test")
    page = desk_client(make_user("Editor")).get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert "Economy, business and finance (IPTC Media Topic 04000000):" in page


def test_accept_reject_and_undo_by_fetch(desk_client, make_user, story):
    editor = make_user("Editor")
    client = desk_client(editor)
    answer = decide(client, story, f"accept:{suggestion(story, 'Borisov').pk}")
    assert answer.status_code == 200 and answer.json()["message"] == "Tagged “Borisov”."
    assert 'aria-label="Undo Borisov' in answer.json()["html"]
    decide(client, story, f"reject:{suggestion(story, 'Acme').pk}")
    decide(client, story, f"reject:{suggestion(story, 'Sofia').pk}")  # Undo of an applied tag
    assert (suggestion(story, "Borisov").decision, suggestion(story, "Borisov").decided_by) == (
        Decision.ACCEPTED, editor)
    assert suggestion(story, "Acme").decision == suggestion(story, "Sofia").decision == \
        Decision.REJECTED
    assert set(story.tags.values_list("name", flat=True)) == {"Borisov"}
    story.headline = "Grain sales rise"
    story.save()
    analyse(story)  # the machine drafts again: the decisions stand
    assert set(story.tags.values_list("name", flat=True)) == {"Borisov"}
    assert suggestion(story, "Sofia").decision == Decision.REJECTED


def test_a_machine_tag_taken_off_in_the_tags_field_shows_rejected_at_once(
        desk_client, make_user, story, django_capture_on_commit_callbacks):
    """The panel said "applied by the machine" of a tag the Tags field no longer held, until
    the worker analysed the story again."""
    assert suggestion(story, "Sofia").decision == Decision.APPLIED
    client = desk_client(make_user("Editor"))
    kept = [t.pk for t in story.tags.all() if t.name != "Sofia"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/newsroom/article/{story.pk}/change/",
                               {**article_post_data(story), "tags": kept, "_continue": "1"})
    assert response.status_code == 302
    assert suggestion(story, "Sofia").decision == Decision.REJECTED
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert 'aria-label="Undo Sofia: take it off the story"' not in page
    # So is one an editor accepted, then a colleague took off in the Tags box.
    decide(client, story, f"accept:{suggestion(story, 'Borisov').pk}")
    assert suggestion(story, "Borisov").decision == Decision.ACCEPTED
    story.refresh_from_db()
    kept = [t.pk for t in story.tags.all() if t.name != "Borisov"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/desk/newsroom/article/{story.pk}/change/",
                    {**article_post_data(story), "tags": kept, "_continue": "1"})
    assert suggestion(story, "Borisov").decision == Decision.REJECTED


def test_related_stories_are_pinned_removed_and_added(desk_client, make_user, make_article,
                                                       story):
    client = desk_client(make_user("Editor"))
    harvest = Article.objects.get(headline="Wheat harvest")
    chess = make_article("Chess final", body="<p>A draw.</p>")
    draft = make_article("A draft", status=Article.Status.DRAFT, published_at=None)
    assert decide(client, story, f"remove:{harvest.pk}").status_code == 200
    assert decide(client, story, "add-related", **{"intel-related": chess.pk}).status_code == 200
    refused = decide(client, story, "add-related", **{"intel-related": draft.pk})
    assert refused.status_code == 400 and "is not published" in refused.json()["message"]
    # The picker asks the desk's own story search.
    found = client.get("/desk/autocomplete/", {"app_label": "intelligence", "term": "Chess",
                                               "model_name": "relatedstory",
                                               "field_name": "related"}).json()
    assert [r["id"] for r in found["results"]] == [str(chess.pk)]
    # ...less the story itself, which came first in its own picker, to be refused once chosen.
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert f'data-ajax--url="/desk/autocomplete/?live=1&amp;exclude={story.pk}"' in page
    asked = {"app_label": "intelligence", "term": "Grain", "model_name": "relatedstory",
             "field_name": "related"}
    everything = [r["id"] for r in client.get("/desk/autocomplete/", asked).json()["results"]]
    assert str(story.pk) in everything
    # (jQuery adds the picker's own parameters to the URL's `exclude`.)
    others = client.get("/desk/autocomplete/", {**asked, "exclude": story.pk}).json()["results"]
    assert [r["id"] for r in others] == [i for i in everything if i != str(story.pk)]
    analyse(story, force=True)
    rows = dict(RelatedStory.objects.filter(article=story).values_list("related", "origin"))
    assert rows[harvest.pk] == "removed" and rows[chess.pk] == "pinned"
    assert draft.pk not in rows
    # Each decision is in the story's log, with who (they re-send a published story).
    logged = dict(story.audit_log.values_list("action", "note"))
    assert logged["related_removed"] == f"Removed story {harvest.pk} from the related stories."
    assert logged["related_pinned"] == (f"Pinned \u201cChess final\u201d ({chess.pk}) to the "
                                        "related stories.")


def test_the_picker_lists_headline_matches_first_and_tells_alike_stories_apart(
        desk_client, make_user, make_article, make_section):
    """Results came newest first whatever matched ("Bulgaria signs 40 billion euroyen loan"
    was 12th of 13 for "Bulgaria"), and two stories headlined alike were two identical lines."""
    world, tech = make_section("World"), make_section("Technology")
    loan = make_article("Bulgaria signs loan", section=world, body="<p>Sofia signed it.</p>")
    make_article("Virus poses as e-mail", section=tech, age=timedelta(days=400),
                 body="<p>A virus, said officials in Bulgaria.</p>")
    make_article("Virus poses as e-mail", section=world,
                 body="<p>Bulgaria warned of a virus.</p>")
    client = desk_client(make_user("Editor"))
    asked = {"app_label": "intelligence", "term": "Bulgaria", "model_name": "relatedstory",
             "field_name": "related", "live": "1"}
    results = client.get("/desk/autocomplete/", asked).json()["results"]
    assert results[0]["id"] == str(loan.pk)
    labels = [r["text"] for r in results]
    assert labels[0].startswith("Bulgaria signs loan (World, ")
    viruses = [label for label in labels if label.startswith("Virus poses as e-mail")]
    assert len(viruses) == len(set(viruses)) == 2
    assert any("(Technology, " in label for label in viruses)
    # Twins of one section and day are told apart by their time. A killed one or a draft is
    # not offered: readers could not open it, and the button refused it once chosen.
    make_article("Bulgaria signs loan", section=world, age=timedelta(hours=3))
    make_article("Bulgaria signs loan", section=world, age=timedelta(hours=5),
                 status=Article.Status.UNPUBLISHED)
    make_article("Bulgaria signs loan", section=world, status=Article.Status.DRAFT,
                 published_at=None)
    labels = [r["text"] for r in client.get("/desk/autocomplete/", asked).json()["results"]]
    loans = [label for label in labels if label.startswith("Bulgaria signs loan")]
    assert len(set(loans)) == len(loans) == 2
    assert not any(label.endswith((", killed)", ", draft)")) for label in loans)


def test_a_reporters_picker_finds_published_stories_not_only_their_own(
        desk_client, make_user, make_article):
    """A reporter's "Add a related story" found only their own stories ("No results")."""
    reporter = make_user("Reporter")
    mine = make_article("Grain prices: my draft", status=Article.Status.DRAFT,
                        published_at=None)
    Article.objects.filter(pk=mine.pk).update(created_by=reporter)
    out = make_article("Grain harvest ends early")
    others_draft = make_article("Grain tariffs: someone's draft", status=Article.Status.DRAFT,
                                published_at=None)
    client = desk_client(reporter)
    asked = {"app_label": "intelligence", "term": "Grain", "model_name": "relatedstory",
             "field_name": "related", "live": "1"}
    found = {r["id"] for r in client.get("/desk/autocomplete/", asked).json()["results"]}
    assert str(out.pk) in found
    assert str(others_draft.pk) not in found and str(mine.pk) not in found  # not out yet
    # The story list stays theirs alone: `live` is for the picker's search only.
    listed = client.get("/desk/newsroom/article/", {"q": "Grain", "live": "1"}).text
    assert "Grain harvest ends early" not in listed


def test_a_story_removed_by_mistake_is_let_back(desk_client, make_user, story):
    """A removal could only be undone by adding the story again and pinning it."""
    client = desk_client(make_user("Editor"))
    harvest = Article.objects.get(headline="Wheat harvest")
    decide(client, story, f"remove:{harvest.pk}")
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert f'value="let-back:{harvest.pk}"' in page
    answer = decide(client, story, f"let-back:{harvest.pk}")
    assert answer.status_code == 200 and "may be among the related stories again" in (
        answer.json()["message"])
    assert not RelatedStory.objects.filter(article=story, origin="removed").exists()
    analyse(story, force=True)
    assert RelatedStory.objects.filter(article=story, related=harvest,
                                       origin="computed").exists()
    again = decide(client, story, f"let-back:{harvest.pk}")
    assert again.status_code == 400 and "was not removed" in again.json()["message"]


@pytest.mark.django_db(transaction=True)
def test_letting_a_story_back_holds_the_row_in_a_transaction_of_its_own(make_user, story):
    """A request runs in autocommit: on PostgreSQL the row lock outside a transaction was a
    500 at every "Let it back" (TransactionManagementError). SQLite takes no row locks, and
    a test wrapped in a transaction hid it; this one is not, and runs on both."""
    from dateline.intelligence import decisions

    harvest = Article.objects.get(headline="Wheat harvest")
    decisions.remove(story, harvest.pk, make_user("Editor"))
    assert decisions.let_back(story, harvest.pk) == harvest
    assert not RelatedStory.objects.filter(article=story, origin="removed").exists()


def test_pinning_names_an_unpublished_story_by_number_not_its_headline(
        desk_client, make_user, make_article):
    """A contributor pinning ids to their own draft read every other desk's draft headlines."""
    contributor = make_user("Contributor")
    own = make_article("My draft", status=Article.Status.DRAFT, published_at=None,
                       created_by=contributor)
    secret = make_article("Secret talks in Moscow", status=Article.Status.DRAFT,
                          published_at=None)
    refused = decide(desk_client(contributor), own, f"pin:{secret.pk}")
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        f"Story {secret.pk} is not published: readers could not open it.")
    assert "Secret" not in refused.content.decode()
    # Nor by removing it, which listed it by its headline among those "kept out".
    removed = decide(desk_client(contributor), own, f"remove:{secret.pk}")
    assert removed.status_code == 400 and "Secret" not in removed.content.decode()
    assert removed.json()["message"] == (
        f"Story {secret.pk} is not among this story's related stories.")


@pytest.mark.parametrize("related", ["0", "999999999", "itself"])
def test_removing_a_story_that_is_none_is_refused_in_words(desk_client, make_user, story,
                                                            related):
    """Each was a 500: a missing story broke the foreign key, the story itself a check."""
    client = desk_client(make_user("Editor"))
    answer = decide(client, story, f"remove:{story.pk if related == 'itself' else related}")
    assert answer.status_code == 400
    assert answer.json()["message"] in (f"Story {related} is not among this story's related "
                                        "stories.",
                                        "A story is never among its own related stories.")
    assert not RelatedStory.objects.filter(article=story, origin="removed").exists()


@pytest.mark.parametrize("role", ["Contributor", "Reporter"])
def test_the_machines_lists_over_the_archive_are_the_editors(desk_client, make_user, story,
                                                             role):
    """They named every story's headline, other desks' drafts among them."""
    client = desk_client(make_user(role))
    for model in ("tagsuggestion", "storytopic", "relatedstory"):
        assert client.get(f"/desk/intelligence/{model}/").status_code == 403
    assert b"/desk/intelligence/relatedstory/" not in client.get("/desk/").content
    editor = desk_client(make_user("Editor"))
    assert b"Grain sales" in editor.get("/desk/intelligence/tagsuggestion/").content


def test_the_brief_is_edited_kept_and_reset(desk_client, make_user, story):
    editor = make_user("Editor")
    client = desk_client(editor)
    decide(client, story, "brief", **{"intel-brief": "  Grain  sold in Sofia. "})
    brief = Brief.objects.get(article=story)
    assert (brief.text, brief.edited_by) == ("Grain sold in Sofia.", editor)
    story.body = "<p>Barley this time.</p>"
    story.save()
    analyse(story)
    brief.refresh_from_db()
    assert (brief.text, brief.machine_text) == ("Grain sold in Sofia.", "Barley this time.")
    decide(client, story, "brief-reset")
    brief.refresh_from_db()
    assert (brief.text, brief.edited_by, brief.edited_at) == ("Barley this time.", None, None)
    assert decide(client, story, "brief", **{"intel-brief": " "}).status_code == 400
    # Zero-width characters alone are no words; a NUL or a bell is left out as in a story.
    assert decide(client, story, "brief", **{"intel-brief": "\u200b\u200b \u2060"}
                  ).status_code == 400
    decide(client, story, "brief", **{"intel-brief": "Grain\x00 sold\x07 again."})
    brief.refresh_from_db()
    assert brief.text == "Grain sold again."


def test_an_editors_brief_is_flagged_once_the_story_changes_or_is_corrected(
        desk_client, make_user, story):
    """A brief written by an editor kept "132 votes to 98" after the story was corrected to
    96, in News in Brief and the edition, and the panel said nothing."""
    from dateline.newsroom.models import ArticleNote

    client = desk_client(make_user("Editor"))
    change = f"/desk/newsroom/article/{story.pk}/change/"
    decide(client, story, "brief", **{"intel-brief": "Wheat sold by 132 votes to 98."})
    assert 'id="intel-brief-behind"' not in client.get(change).text
    story.tags.clear()
    story.save()  # a save that changed no words
    assert 'id="intel-brief-behind"' not in client.get(change).text
    story.body = story.body.replace("Monday", "Tuesday")
    story.save()
    shown = client.get(change).text
    assert re.search(r'id="intel-brief-behind".*?its text was changed\.', shown, re.S)
    ArticleNote.objects.create(article=story, kind="correction", text="It was 96.")
    assert "its text was changed and a correction or update was added" in client.get(
        change).text
    decide(client, story, "brief", **{"intel-brief": "Wheat sold by 132 votes to 96."})
    assert 'id="intel-brief-behind"' not in client.get(change).text


def test_a_brief_changed_since_the_page_was_opened_is_not_replaced_unseen(
        desk_client, make_user, story):
    ann, ben = make_user("Editor", "ann"), make_user("Editor", "ben")
    machines = Brief.objects.get(article=story).text  # both pages opened on the machine's
    assert decide(desk_client(ann), story, "brief", **{
        "intel-brief": "Ann's brief.", "intel-brief-seen": machines}).status_code == 200
    client = desk_client(ben)
    refused = decide(client, story, "brief", **{"intel-brief": "Ben's brief.",
                                                "intel-brief-seen": machines})
    assert refused.status_code == 400
    assert "changed since you opened the page by ann" in refused.json()["message"]
    assert "Ann's brief." in refused.json()["message"]
    assert Brief.objects.get(article=story).text == "Ann's brief."
    # The panel came back with Ann's brief as seen: saving again replaces it, knowingly.
    assert decide(client, story, "brief", **{
        "intel-brief": "Ben's brief.", "intel-brief-seen": "Ann's brief."}).status_code == 200
    assert Brief.objects.get(article=story).text == "Ben's brief."
    # Both briefs are in the story's log, with what each replaced.
    notes = list(story.audit_log.filter(action="brief_edited").order_by("pk")
                 .values_list("user__username", "note"))
    assert notes == [("ann", f"Brief: \u201cAnn's brief.\u201d (was \u201c{machines}\u201d)."),
                     ("ben", "Brief: \u201cBen's brief.\u201d (was \u201cAnn's brief.\u201d).")]
    # Writing what it says already is no conflict.
    assert decide(client, story, "brief", **{"intel-brief": "Ben's brief.",
                                             "intel-brief-seen": machines}).status_code == 200


def test_an_edited_brief_keeps_to_the_briefs_limits(desk_client, make_user, story):
    """The help text said "at most 60 words", and any length was kept and printed."""
    client = desk_client(make_user("Editor"))
    long = decide(client, story, "brief", **{"intel-brief": "Grain sold. " * 31})
    assert long.status_code == 400
    assert "at most 60 words; this one has 62" in long.content.decode()
    one_word = decide(client, story, "brief", **{"intel-brief": "x" * 601})
    assert one_word.status_code == 400 and "at most 600 characters" in one_word.content.decode()
    assert not Brief.objects.filter(article=story, edited_by__isnull=False).exists()
    assert decide(client, story, "brief", **{"intel-brief": "Grain sold. " * 30}).status_code < 400


def test_without_scripts_the_whole_form_posts_and_the_editor_comes_back(
        desk_client, make_user, story):
    client = desk_client(make_user("Editor"))
    answer = client.post(f"/desk/intelligence/stories/{story.pk}/decide/",
                         {"intel-action": f"accept:{suggestion(story, 'Acme').pk}",
                          "headline": "whatever the form carried", "body": "ignored"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/newsroom/article/{story.pk}/change/#intelligence"
    assert "Tagged “Acme”." in client.get(answer["Location"]).content.decode()
    story.refresh_from_db()
    assert story.headline == "Grain sales"


def test_only_those_who_may_edit_the_story_decide(desk_client, make_user, client, story):
    reporter = desk_client(make_user("Reporter"))  # not the story's owner
    pk = suggestion(story, "Acme").pk
    assert decide(reporter, story, f"accept:{pk}").status_code == 403
    assert 'id="intelligence"' not in reporter.get(
        f"/desk/newsroom/article/{story.pk}/change/").content.decode()
    assert suggestion(story, "Acme").decision == Decision.PENDING


def test_a_post_without_the_csrf_token_is_refused(make_user, story):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    assert decide(client, story, f"accept:{suggestion(story, 'Acme').pk}").status_code == 403
    assert suggestion(story, "Acme").decision == Decision.PENDING


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_panel_decides_in_place_with_no_axe_violation(
        browser, live_server, make_user, story):
    editor = make_user("Editor")
    connections.close_all()
    page = logged_in_page(browser, live_server.url, editor)
    record_csp_violations(page)
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = f"{live_server.url}/desk/newsroom/article/{story.pk}/change/"
    page.goto(url)
    panel = page.locator("#intelligence")
    page.locator(".ProseMirror[contenteditable=true]").wait_for(timeout=10_000)
    loads = []
    page.on("load", lambda p: loads.append(p.url))
    # Keyboard only: focus the button and press Enter.
    panel.get_by_role("button", name="Accept Borisov").focus()
    page.keyboard.press("Enter")
    page.locator("#intelligence-status", has_text="Tagged “Borisov”.").wait_for(timeout=10_000)
    panel.get_by_role("button", name="Undo Borisov: take it off the story").wait_for()
    page.fill("#intel-brief", "Our own brief.")
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="Brief saved").wait_for(timeout=10_000)
    assert loads == [] and problems == []
    assert page.evaluate("window.cspViolations") == []
    assert suggestion(story, "Borisov").decision == Decision.ACCEPTED
    assert Brief.objects.get(article=story).text == "Our own brief."
    # A refused brief stays in the box (the panel drawn again showed the stored one instead).
    page.fill("#intel-brief", "Grain sold. " * 31)
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="at most 60 words").wait_for(timeout=10_000)
    assert page.input_value("#intel-brief") == "Grain sold. " * 31
    # A colleague saves a brief meanwhile: this editor's save is refused once, naming theirs.
    Brief.objects.filter(article=story).update(text="A colleague's brief.")
    page.fill("#intel-brief", "Mine again.")
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="A colleague's brief.").wait_for(
        timeout=10_000)
    assert page.input_value("#intel-brief") == "Mine again."
    assert Brief.objects.get(article=story).text == "A colleague's brief."
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="Brief saved").wait_for(timeout=10_000)
    assert Brief.objects.get(article=story).text == "Mine again."
    # Typed, then another of the panel's buttons: the redraw kept the text but took the new
    # brief as seen, and the colleague's brief saved meanwhile was replaced unseen.
    Brief.objects.filter(article=story).update(text="A second colleague's brief.")
    page.fill("#intel-brief", "Typed over it.")
    panel.get_by_role("button", name=re.compile(r"^Draft (again|now)$")).click()
    page.locator("#intelligence-status", has_text="Queued").wait_for(timeout=10_000)
    assert page.input_value("#intel-brief") == "Typed over it."
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="A second colleague's brief.").wait_for(
        timeout=10_000)
    assert Brief.objects.get(article=story).text == "A second colleague's brief."
    panel.get_by_role("button", name="Save the brief").click()
    page.locator("#intelligence-status", has_text="Brief saved").wait_for(timeout=10_000)
    assert Brief.objects.get(article=story).text == "Typed over it."
    # The form's Tags box shows the decisions, so the story's Save keeps them: it wrote the
    # box's old list back, and the accepted tag was gone (and the undone one back).
    panel.get_by_role("button", name="Undo Sofia: take it off the story").click()
    page.locator("#intelligence-status", has_text="Sofia").wait_for(timeout=10_000)
    shown = page.locator("#id_tags option:checked").all_inner_texts()
    assert any("Borisov" in t for t in shown) and not any("Sofia" in t for t in shown), shown
    # Decisions and the brief are stored already: nothing on the page is unsaved text.
    page.wait_for_timeout(5_000)  # past the autosave's turn
    assert not Autosave.objects.exists()
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert set(Article.objects.get(pk=story.pk).tags.values_list("name", flat=True)) == {
        "Borisov"}

    # axe-core on the panel with something in every part (the auditor needs the CSP waived).
    audited = logged_in_page(browser, live_server.url, editor, bypass_csp=True)
    audited.goto(url)
    audited.locator(".ProseMirror[contenteditable=true], .select2-container").first.wait_for(
        timeout=10_000)
    violations = axe_violations(audited, RULES, within="'#intelligence'")
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


def test_the_desk_lists_suggestions_by_decision_and_topics_read_only(desk_client, make_user,
                                                                      story):
    client = desk_client(make_user("Chief editor"))
    listed = client.get("/desk/intelligence/tagsuggestion/?decision__exact=applied")
    assert listed.status_code == 200
    text = listed.content.decode()
    assert "Sofia" in text and "Borisov" not in text
    topics = client.get("/desk/intelligence/storytopic/")
    assert topics.status_code == 200 and "Grain" in topics.content.decode()
    assert client.get("/desk/intelligence/storytopic/add/").status_code == 403


def test_draft_again_queues_an_analysis_for_the_worker(desk_client, make_user, story):
    from django_tasks_db.models import DBTaskResult

    from dateline.intelligence.tasks import analyse_story

    answer = decide(desk_client(make_user("Editor")), story, "analyse")
    assert answer.status_code == 200 and answer.json()["message"].startswith("Queued")
    queued = DBTaskResult.objects.get(task_path=analyse_story.module_path)
    assert queued.args_kwargs == {"args": [story.pk], "kwargs": {"force": True}}


@pytest.mark.parametrize("target", ["²", "99999999999999999999999", "9" * 5000, "x"])
def test_a_decision_on_no_possible_suggestion_is_refused_in_words(
        desk_client, make_user, story, target):
    client = desk_client(make_user("Editor"))
    tags = set(story.tags.values_list("name", flat=True))
    for action in ("accept", "reject", "pin", "remove"):
        answer = decide(client, story, f"{action}:{target}")
        assert answer.status_code in (400, 404), (action, answer.status_code)
    assert set(story.tags.values_list("name", flat=True)) == tags


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_panel_revisions_and_log_keep_to_the_screen(
        browser, live_server, make_user, story, desk_client):
    """The suggestions' table and the revisions page were wider than a 390-pixel phone: the
    whole page scrolled sideways, the Accept and Reject buttons off the screen."""
    editor = make_user("Editor")
    client = desk_client(editor)
    story.refresh_from_db()
    client.post(f"/desk/newsroom/article/{story.pk}/change/", {
        "headline": story.headline, "slug": story.slug, "body": story.body,
        "section": story.section_id, "seen_version": story.version, "_continue": "1"})
    connections.close_all()
    page = logged_in_page(browser, live_server.url, editor)
    page.set_viewport_size({"width": 390, "height": 844})
    base = f"{live_server.url}/desk/newsroom/article/{story.pk}"
    for path in ("/change/", "/revisions/", "/log/"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        if path == "/change/":
            page.get_by_role("button", name="Accept Borisov").wait_for()
        wide = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391 && e.offsetParent)
            .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' +
            Math.round(e.getBoundingClientRect().right))""")
        assert wide <= 390, (path, wide, culprits)
        # Named, with their right edges: a run on a loaded machine once found five, which no
        # run alone has shown since.
        buttons = page.evaluate("""() => [...document.querySelectorAll(
            '#content button:not(.visually-hidden)')].filter(b => b.offsetParent)
            .filter(b => b.getBoundingClientRect().right > innerWidth + 1)
            .map(b => b.textContent.trim().slice(0, 40) + ' ' +
                 Math.round(b.getBoundingClientRect().right))""")
        assert buttons == [], (path, buttons)


def test_a_brief_sent_with_bytes_that_are_not_utf8_is_refused(desk_client, make_user, story):
    """"Bad" and two replacement marks reached News in Brief: Django reads such bytes as
    U+FFFD, and the panel stored them."""
    client = desk_client(make_user("Editor"))
    answer = decide(client, story, "brief", **{"intel-brief": "Bad\ufffd\ufffdbrief of it."})
    assert answer.status_code == 400
    assert "could not be read" in answer.content.decode()
    assert not Brief.objects.filter(article=story, edited_by__isnull=False).exists()


def test_without_scripts_a_panel_button_keeps_the_story_s_unsaved_changes(
        desk_client, make_user, story):
    """The buttons post the whole story form when scripts do not run: the story's page came
    back as saved, and the headline the editor had changed was gone without a word."""
    client = desk_client(make_user("Editor"))
    borisov = suggestion(story, "Borisov")
    sent = client.post(f"/desk/intelligence/stories/{story.pk}/decide/", {
        **article_post_data(story, headline="Grain sales soar again"),
        "tags": list(story.tags.values_list("pk", flat=True)),
        "intel-action": f"accept:{borisov.pk}"}, follow=True)
    page = sent.content.decode()
    assert "Tagged" in page and "back in the form: save to keep it" in page
    assert 'value="Grain sales soar again"' in page and "Unsaved text from" in page
    story.refresh_from_db()
    assert story.headline == "Grain sales"  # kept, not saved behind the editor's back
    # The Tags box shows the decision: the box as sent predates it.
    tags = page.split('id="id_tags"', 1)[1].split("</select>", 1)[0]
    assert re.search(r"<option[^>]*selected[^>]*>[^<]*Borisov", tags)
    # A button pressed with nothing changed keeps nothing.
    Autosave.objects.all().delete()
    client.post(f"/desk/intelligence/stories/{story.pk}/decide/", {
        **article_post_data(Article.objects.get(pk=story.pk)),
        "tags": list(story.tags.values_list("pk", flat=True)),
        "intel-action": f"reject:{suggestion(story, 'Sofia').pk}"})
    assert not Autosave.objects.exists()


def test_without_scripts_a_refused_brief_s_words_are_in_the_box_again(
        desk_client, make_user, story):
    """"Nothing was saved; your text is still in the box": without scripts the page drawn
    again held the colleague's brief, and saving again, as told, saved theirs."""
    ann, ben = desk_client(make_user("Editor", "ann")), desk_client(make_user("Editor", "ben"))
    machines = Brief.objects.get(article=story).text
    decide(ann, story, "brief", **{"intel-brief": "Ann's brief.", "intel-brief-seen": machines})
    refused = ben.post(f"/desk/intelligence/stories/{story.pk}/decide/", {
        "intel-action": "brief", "intel-brief": "Ben's own brief.",
        "intel-brief-seen": machines}, follow=True).content.decode()
    assert "your text is still in the box" in refused
    box = refused.split('id="intel-brief"', 1)[1].split("</textarea>", 1)[0]
    assert box.endswith(">Ben&#x27;s own brief.")
    assert 'name="intel-brief-seen" value="Ann&#x27;s brief."' in refused
    # Once: the page opened again shows the brief as it stands.
    again = ben.get(f"/desk/newsroom/article/{story.pk}/change/").content.decode()
    assert again.split('id="intel-brief"', 1)[1].split("</textarea>", 1)[0].endswith(
        ">Ann&#x27;s brief.")


def test_a_pinned_story_killed_since_is_said_unseen_and_not_counted_among_the_five(
        desk_client, make_user, make_article, story):
    """The panel listed a killed pinned story first, as if readers saw it, and called the
    fifth story readers do see "spare"."""
    client = desk_client(make_user("Editor"))
    pinned = make_article("Chess final", body="<p>A draw.</p>")
    decide(client, story, "add-related", **{"intel-related": pinned.pk})
    Article.objects.filter(pk=pinned.pk).update(status=Article.Status.UNPUBLISHED)
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    row = page.split("Chess final</a>", 1)[1].split("</li>", 1)[0]
    assert "not published: readers do not see it" in row
    computed = RelatedStory.objects.filter(article=story, origin="computed").count()
    assert computed and page.count(", spare</span>") == max(0, computed - 5)
