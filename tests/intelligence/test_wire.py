"""What the machine and the editors change in a live story's tags and related stories reaches
partners: the story goes again on the wire's changes feed as a new version. Before, the
site's page changed and a partner that had taken the story kept it untagged (a story goes out
in the seconds before its analysis), or with the tag an editor had just rejected."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.intelligence.models import TagSuggestion
from dateline.intelligence.pipeline import analyse
from dateline.newsroom.models import Article

from ..syndication.test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from ..syndication.test_changes import settled_at_once  # noqa: F401
from ..syndication.test_resending import changes_since
from ..syndication.test_superdesk import superdesk_takes_again, went_out_earlier
from .pipeline_parts import use_test_parts
from .test_desk_panel import JSON, WHEAT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def parts(settings, tmp_path):
    use_test_parts(settings, tmp_path / "models")
    settings.DATELINE_INTELLIGENCE_APPLY_AT = 0.9


def places(item: dict) -> set[str]:
    return {place["name"] for place in item.get("place", [])}


def people(item: dict) -> set[str]:
    return {person["name"] for person in item.get("person", [])}


def test_a_story_out_before_its_analysis_goes_again_with_the_tags_applied(
        api, make_article, settled_at_once, django_capture_on_commit_callbacks):  # noqa: F811
    story = make_article("Grain sales", body=WHEAT)
    went_out_earlier(story)
    held = changes_since(api, story.wire_changed_at - timedelta(seconds=1))
    assert places(held[0]) == set()  # out untagged: the worker had not analysed it yet
    since = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        analyse(story)
    again = changes_since(api, since)
    assert [i["uri"] for i in again] == [held[0]["uri"]]
    assert "Sofia" in places(again[0])  # applied at 95 %
    assert superdesk_takes_again(again[0], held[0])


def test_an_archives_story_is_not_announced_by_its_analysis(
        api, make_article, settled_at_once):  # noqa: F811
    old = make_article("Grain sales of 1987", body=WHEAT, age=timedelta(days=400))
    Article.objects.filter(pk=old.pk).update(wire_changed_at=old.published_at,
                                             modified_at=timezone.now())
    since = timezone.now()
    analyse(Article.objects.get(pk=old.pk))
    assert old.tags.filter(name="Sofia").exists()
    assert changes_since(api, since) == []


def test_an_editors_decision_on_a_live_story_goes_to_partners(
        api, desk_client, make_user, make_article, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    story = make_article("Grain sales", body=WHEAT)
    harvest = make_article("Wheat harvest", body="<p>The wheat harvest was early.</p>")
    analyse(story)
    client = desk_client(make_user("Editor"))
    went_out_earlier(story, 60)  # each decision below a while after the last, as at a desk
    since = story.wire_changed_at
    (held,) = [i for i in changes_since(api, since) if i["uri"].endswith(f"/{story.pk}/")]

    def decide(action: str, then: int, **fields) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/desk/intelligence/stories/{story.pk}/decide/",
                                 {"intel-action": action, **fields}, **JSON)
        assert answer.status_code == 200, answer.content
        went_out_earlier(story, then)
        items = [i for i in changes_since(api, since) if i["uri"] == held["uri"]]
        assert len(items) == 1
        return items[0]

    borisov = TagSuggestion.objects.get(article=story, tag__name="Borisov")
    accepted = decide(f"accept:{borisov.pk}", 40)
    assert "Borisov" in people(accepted) and superdesk_takes_again(accepted, held)
    sofia = TagSuggestion.objects.get(article=story, tag__name="Sofia")
    rejected = decide(f"reject:{sofia.pk}", 20)
    assert "Sofia" not in places(rejected) and superdesk_takes_again(rejected, accepted)
    removed = decide(f"remove:{harvest.pk}", 0)
    assert superdesk_takes_again(removed, rejected)
    story.refresh_from_db()
    assert story.version == 1  # the desk's own version: an editor's open form is not stale
