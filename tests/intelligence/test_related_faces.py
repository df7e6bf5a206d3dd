"""The stored related lists where readers and partners meet them: the article page (and its
preview) and the ninjs wire, which validates against IPTC's own schemas."""

from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from dateline.intelligence.models import Analysis, RelatedStory
from dateline.newsroom.preview import preview_url
from dateline.syndication.formatters import registry
from tests.syndication.ninjs_schema import errors

Origin = RelatedStory.Origin


@pytest.fixture
def listed(make_article):
    """A story with a stored list: one pinned, two computed, one removed."""
    own = make_article("Central bank holds rates")
    pinned, first, second, removed = (
        make_article(f"{name} story", age=timedelta(hours=2 + i))
        for i, name in enumerate(("Pinned", "First computed", "Second computed", "Removed")))
    for related, origin, rank in ((first, Origin.COMPUTED, 0), (second, Origin.COMPUTED, 1),
                                  (removed, Origin.REMOVED, 2), (pinned, Origin.PINNED, 3)):
        RelatedStory.objects.create(article=own, related=related, origin=origin, rank=rank)
    return own, [pinned, first, second], removed


def _aside(html: str) -> str:
    start = html.index('class="related')
    return html[start:html.index("</section>", start)]


def test_the_article_page_shows_the_stored_list_in_order(client, listed):
    own, shown, removed = listed
    html = client.get(own.get_absolute_url()).content.decode()
    aside = _aside(html)
    positions = [aside.index(story.headline) for story in shown]
    assert positions == sorted(positions)
    assert removed.headline not in aside


def test_a_new_list_reaches_the_cached_page(client, listed, make_article,
                                            django_capture_on_commit_callbacks):
    own = listed[0]
    client.get(own.get_absolute_url())
    newcomer = make_article("Newly related story", age=timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        RelatedStory.objects.create(article=own, related=newcomer, origin=Origin.PINNED)
    assert "Newly related story" in _aside(client.get(own.get_absolute_url()).content.decode())


def test_the_preview_shows_the_stored_list_too(client, listed):
    own, shown, removed = listed
    aside = _aside(client.get(preview_url(own)).content.decode())
    assert all(story.headline in aside for story in shown)
    assert removed.headline not in aside


@pytest.mark.parametrize("version", ["3.1", "2.1"])
def test_the_wire_names_the_related_stories_and_validates(listed, version, settings):
    own, shown, _ = listed
    settings.DATELINE_SITE_URL = "https://news.example"  # stories are named on it
    formatter = registry.get("ninjs" + version.replace(".", ""))(base_url="https://news.example")
    item = formatter.format_all([own])[0]
    assert errors(item, version) == []
    related = [a for a in item["associations"] if a["name"].startswith("related-")]
    assert [a["name"] for a in related] == ["related-1", "related-2", "related-3"]
    assert [a["uri"] for a in related] == [f"https://news.example/articles/{s.pk}/"
                                           for s in shown]
    assert [a["headlines"][0]["value"] for a in related] == [s.headline for s in shown]
    assert all(a["type"] == "text" for a in related)
    if version == "3.1":
        assert all(a["rel"] == "related" for a in related)


def test_a_story_with_no_stored_list_has_no_related_associations(make_article):
    item = registry.get("ninjs31")(base_url="https://news.example").format_all(
        [make_article("Alone")])[0]
    assert errors(item) == []
    assert "associations" not in item


def test_a_list_written_in_bulk_reaches_the_cached_page_with_its_analysis(
        client, make_article, django_capture_on_commit_callbacks):
    own = make_article("Central bank holds rates")
    client.get(own.get_absolute_url())
    newcomer = make_article("Bulk related story", age=timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        RelatedStory.objects.bulk_create([RelatedStory(article=own, related=newcomer)])
        Analysis.objects.create(article=own, text_hash="x", version="test",
                                analysed_at=timezone.now())
    assert "Bulk related story" in _aside(client.get(own.get_absolute_url()).content.decode())


def test_the_atom_feed_links_each_entry_to_its_related_stories(client, listed):
    own, shown, removed = listed
    feed = feedparser.parse(client.get("/feeds/atom/").content)
    assert not feed.bozo
    entry = next(e for e in feed.entries if e.title == own.headline)
    related = [link for link in entry.links if link.rel == "related"]
    assert [link.href for link in related] == [f"http://testserver{s.get_absolute_url()}"
                                               for s in shown]
    assert [link.title for link in related] == [s.headline for s in shown]
    assert removed.get_absolute_url() not in {link.href for link in related}
    # RSS has no element for it: its items stay as they were.
    assert b"related" not in client.get("/feeds/rss/").content.replace(b"Related", b"")
