"""The slots in the site's pages, and rotation on pages the page cache serves."""

import json
import random
import re

import pytest

from dateline.newsroom.models import Tag

from ..pagecache.test_pagecache import Reader

pytestmark = pytest.mark.django_db

PARAGRAPHS = "".join(f"<p>Paragraph {i} of the story.</p>" for i in range(1, 7))


def test_article_page_reserves_its_slots(client, make_article, make_tag, settings):
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


def test_a_short_story_has_no_slot_inside_it(client, make_article):
    story = make_article(body="<p>One.</p><p>Two.</p><p>Three.</p>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert 'data-ad-slot="in-story"' not in html
    assert 'data-ad-slot="after-story"' in html


def test_section_listing_has_a_slot_between_items(client, make_section, make_article, settings):
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


def test_a_slot_names_at_most_the_tags_a_pick_reads():
    from dateline.ads.templatetags.ads import ad_slot

    markup = ad_slot("sidebar", 7, range(1, 50))
    assert 'data-ad-section="7"' in markup
    assert f'data-ad-tags="{",".join(str(i) for i in range(1, 31))}"' in markup
