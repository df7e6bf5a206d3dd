"""The slots in the site's pages, and rotation on pages the page cache serves."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.models import Tag

from ..pagecache.test_pagecache import Reader

pytestmark = pytest.mark.django_db

PARAGRAPHS = "".join(f"<p>Paragraph {i} of the story.</p>" for i in range(1, 7))
ALL_SLOTS = ("top", "sidebar", "in-story", "after-story", "listing")


@pytest.fixture
def house_ad(make_campaign):
    """The agency's own ad, in every slot of the pages: every slot has something to show."""
    return make_campaign("Subscribe", slots=ALL_SLOTS, is_house=True,
                         html="<p>Subscribe to the morning edition</p>")


def test_article_page_reserves_its_slots(client, make_article, make_tag, settings, house_ad):
    settings.DATELINE_ADS_AFTER_PARAGRAPH = 2
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    story = make_article("Talks resume", body=PARAGRAPHS, tags=[moscow])
    html = client.get(story.get_absolute_url()).content.decode()
    for slot in ("top", "sidebar", "in-story", "after-story"):
        assert f'data-ad-slot="{slot}"' in html, slot
    assert html.count(">Advertisement</p>") == 4
    # In the story after paragraph 2, with the story's tags; the script is deferred.
    assert html.index("Paragraph 2 of") < html.index('data-ad-slot="in-story"') < html.index(
        "Paragraph 3 of")
    assert f'data-ad-section="{story.section_id}" data-ad-tags="{moscow.pk}"' in html
    assert re.search(r'<script src="[^"]*/ads/ads[.a-z0-9]*js" defer', html)


def test_a_preview_shows_no_ad_and_loads_no_ad_script(client, make_article, settings,
                                                      house_ad):
    """A preview is a private page of copy not yet out: no advertiser beside it, and no
    impression billed for an editor's look."""
    from dateline.newsroom.models import Article
    from dateline.newsroom.preview import preview_url

    settings.DATELINE_ADS_AFTER_PARAGRAPH = 2
    make_article("Out already", body=PARAGRAPHS)  # the aside's "More from": it has stories
    draft = make_article("Not yet out", body=PARAGRAPHS, status=Article.Status.DRAFT,
                         published_at=None)
    response = client.get(preview_url(draft))
    html = response.content.decode()
    assert response.status_code == 200 and "Not yet out" in html and "Out already" in html
    assert "data-ad-slot" not in html and ">Advertisement</p>" not in html
    assert "/ads/ads" not in html  # neither the slots' script nor their stylesheet


def test_a_short_story_has_no_slot_inside_it(client, make_article, house_ad):
    story = make_article(body="<p>One.</p><p>Two.</p><p>Three.</p>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'data-ad-slot="in-story"' not in html
    assert 'data-ad-slot="after-story"' in html


def test_section_listing_has_a_slot_between_items(client, make_section, make_article, settings,
                                                  house_ad):
    settings.DATELINE_ADS_LISTING_EVERY = 2
    world = make_section("World")
    for i in range(5):
        make_article(f"Story {i}", section=world)
    html = client.get("/section/world/").content.decode()
    assert html.count('data-ad-slot="listing"') == 2  # after the 2nd and the 4th, not the last
    assert f'data-ad-slot="listing" data-ad-section="{world.pk}"' in html


@pytest.mark.django_db(transaction=True)
def test_a_cached_article_page_still_rotates_its_ads(make_article, make_campaign):
    first = make_campaign("First", html="<p>Alpha Shoes</p>")
    second = make_campaign("Second", html="<p>Beta Bank</p>")
    reader = Reader()
    url = make_article("Cached story").get_absolute_url()
    status, headers, page = reader.get(url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    seen = set()
    random.seed(3)
    for _ in range(30):
        status, headers, again = reader.get(url)
        assert (status, headers["X-Cache"], again) == (200, "HIT", page)  # one stored page
        # ...whose slot the script fills by asking /ads/pick, which the cache never keeps.
        status, headers, body = reader.get("/ads/pick?slot=top")
        assert status == 200 and "X-Cache" not in headers
        seen.add(json.loads(body)["ad"]["campaign"])
    assert seen == {first.pk, second.pk}
    assert "Alpha Shoes" not in page and "Beta Bank" not in page  # no ad baked into the page


def test_a_slot_names_at_most_the_tags_a_pick_reads(house_ad):
    from dateline.ads.templatetags.ads import ad_slot

    markup = ad_slot("sidebar", 7, range(1, 50))
    assert 'data-ad-section="7"' in markup
    assert f'data-ad-tags="{",".join(str(i) for i in range(1, 31))}"' in markup


def test_a_site_that_sells_no_ads_shows_no_empty_boxes(client, make_section, make_article,
                                                       settings):
    settings.DATELINE_ADS_AFTER_PARAGRAPH, settings.DATELINE_ADS_LISTING_EVERY = 2, 2
    world = make_section("World")
    story = make_article("Talks resume", body=PARAGRAPHS, section=world)
    for i in range(4):
        make_article(f"Story {i}", section=world)
    for url in (story.get_absolute_url(), "/section/world/", "/"):
        html = client.get(url).content.decode()
        assert "data-ad-slot" not in html and "Advertisement" not in html, url
        assert '<li class="ad-item">' not in html, url
    # The story reads on where the slot would have been.
    assert "Paragraph 2 of the story.</p><p>Paragraph 3" in client.get(
        story.get_absolute_url()).content.decode()


def test_only_the_slots_something_can_fill_are_shown(client, make_article, make_campaign):
    from dateline.ads.models import Placement

    make_campaign("Sidebar only", slots=("sidebar",))
    make_campaign("Paused", slots=("top",), is_active=False)
    make_campaign("Ended", slots=("after-story",), ends_at=timezone.now() - timedelta(minutes=1))
    Placement.objects.update_or_create(slot="in-story", defaults={
        "third_party_tag": "<p>Partner</p>"})
    html = client.get(make_article(body=PARAGRAPHS).get_absolute_url()).content.decode()
    shown = set(re.findall(r'data-ad-slot="([a-z-]+)"', html))
    assert shown == {"sidebar", "in-story"}


def test_a_campaign_for_one_section_or_tag_puts_no_empty_box_on_other_pages(
        client, make_section, make_article, make_tag, make_campaign):
    """A campaign for Sport put an empty "Advertisement" box at the top of every page."""
    sport, world = make_section("Sport"), make_section("World")
    football = make_section("Football", parent=sport)
    derby = make_tag("Derby")
    make_campaign("Boots", slots=("top",), sections=[sport])
    make_campaign("Scarves", slots=("in-story",), tags=[derby])
    pages = {
        "sport below": make_article("Cup final", section=football, body=PARAGRAPHS),
        "world": make_article("Talks resume", section=world, body=PARAGRAPHS),
        "tagged": make_article("Derby day", section=world, tags=[derby], body=PARAGRAPHS),
    }
    shown = {name: set(re.findall(r'data-ad-slot="([a-z-]+)"',
                                  client.get(story.get_absolute_url()).text))
             for name, story in pages.items()}
    assert shown == {"sport below": {"top"}, "world": set(), "tagged": {"in-story"}}
    assert "data-ad-slot" not in client.get("/").text


def test_a_campaign_bought_for_a_tag_puts_its_boxes_only_on_that_tags_stories(
        client, make_article, make_tag, make_campaign):
    """The top and sidebar slots named no tags, so a campaign for one tag reserved two empty
    "Advertisement" boxes on every other story: /ads/pick, told the story's tags, chose none."""
    derby = make_tag("Derby")
    make_campaign("Scarves", slots=("top", "sidebar", "after-story"), tags=[derby])
    tagged = make_article("Derby day", tags=[derby], body=PARAGRAPHS)
    other = make_article("Talks resume", tags=[make_tag("Geneva")], body=PARAGRAPHS)
    html = client.get(tagged.get_absolute_url()).text
    assert set(re.findall(r'data-ad-slot="([a-z-]+)"', html)) == {"top", "sidebar",
                                                                  "after-story"}
    assert f'data-ad-tags="{derby.pk}"' in html
    assert "data-ad-slot" not in client.get(other.get_absolute_url()).text


# Written by counting.flush(), which on PostgreSQL cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_campaign_past_its_cap_leaves_no_empty_box(client, make_article, make_campaign):
    from dateline.ads import choice
    from dateline.readership import counting

    campaign = make_campaign("Capped", slots=("top",), impression_cap=2)
    for _ in range(2):
        counting.count(choice.IMPRESSION, campaign.pk)
    counting.flush()
    choice.forget()  # the table each process keeps, read again
    assert choice.pick("top") is None
    assert "data-ad-slot" not in client.get(make_article().get_absolute_url()).text


def test_a_campaign_to_start_later_already_has_its_box(client, make_article, make_campaign):
    make_campaign("Tomorrow", slots=("top",), starts_at=timezone.now() + timedelta(days=1))
    html = client.get(make_article().get_absolute_url()).content.decode()
    assert 'data-ad-slot="top"' in html  # reserved now: its start moves no cached page


@pytest.mark.django_db(transaction=True)
def test_cached_pages_gain_and_lose_their_slots_when_campaigns_change(make_article,
                                                                      make_campaign):
    reader = Reader()
    url = make_article("Cached story", body=PARAGRAPHS).get_absolute_url()
    _, headers, page = reader.get(url)
    assert headers["X-Cache"] == "MISS" and "data-ad-slot" not in page
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    campaign = make_campaign("New", slots=("top", "after-story"))
    _, headers, page = reader.get(url)
    assert headers["X-Cache"] == "MISS"  # the stored page without the slots is dropped
    assert set(re.findall(r'data-ad-slot="([a-z-]+)"', page)) == {"top", "after-story"}
    campaign.placements.remove(*campaign.placements.filter(slot="after-story"))
    page = reader.get(url)[2]
    assert set(re.findall(r'data-ad-slot="([a-z-]+)"', page)) == {"top"}
    campaign.delete()
    assert "data-ad-slot" not in reader.get(url)[2]
