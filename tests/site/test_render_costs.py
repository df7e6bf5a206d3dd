"""What a public page costs to render (queries, never times), and that its cached parts stay
exact: with the page cache off, a published change still shows at once.

The budgets are today's counts (`make bench` prints them on the 100k database too); a change
that adds a query per page, or per story listed, fails here.
"""

from datetime import timedelta

import pytest

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Tag

# Cold: every part rendered from the database (the fragment cache off). Article and home
# include 2 for "Most read" (dateline.readership: the day's tallies, then their stories).
COLD = {"article": 14, "home": 11, "section": 4}
# Warm: the page's parts stored; only what the parts do not hold is read.
WARM = {"article": 1, "home": 0, "section": 0}


@pytest.fixture
def newsroom(make_section, make_article, make_tag):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    sport = make_section("Sport")
    tags = [make_tag(name, Tag.Kind.PLACE) for name in ("Moscow", "Kyiv", "Minsk")]
    stories = [make_article(f"Story {i}", section=(russia, world, sport)[i % 3],
                            tags=tags[: i % 4], age=timedelta(minutes=i)) for i in range(40)]
    return {"world": world, "russia": russia, "sport": sport, "stories": stories}


def urls(newsroom) -> dict[str, str]:
    return {"article": newsroom["stories"][4].get_absolute_url(), "home": "/",
            "section": newsroom["world"].get_absolute_url()}


@pytest.fixture
def page_cache_off(settings):
    settings.DATELINE_PAGE_CACHE_ON = False


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(COLD))
def test_a_cold_render_stays_within_its_query_budget(
    page, newsroom, client, settings, page_cache_off, django_assert_max_num_queries
):
    settings.DATELINE_FRAGMENT_CACHE_ON = False
    url = urls(newsroom)[page]
    client.get(url)  # the section tree, as every process holds it after its first page
    with django_assert_max_num_queries(COLD[page]):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(WARM))
def test_a_render_with_its_parts_stored_reads_almost_nothing(
    page, newsroom, client, page_cache_off, django_assert_max_num_queries
):
    url = urls(newsroom)[page]
    first = client.get(url).content
    with django_assert_max_num_queries(WARM[page]):
        again = client.get(url)
    assert again.content == first


@pytest.mark.django_db(transaction=True)
def test_stored_listing_parts_show_a_change_at_once(
    client, page_cache_off, make_user, make_section, make_article
):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    for i in range(25):  # more than a page of the section (20)
        make_article(f"Older story {i}", section=russia, age=timedelta(hours=2 + i))
    pages = ["/", world.get_absolute_url(), russia.get_absolute_url(),
             world.get_absolute_url() + "?page=2"]
    for url in pages:
        client.get(url)  # stored as parts
    story = make_article("Talks resume in Moscow", section=russia, age=timedelta(0))
    for url in pages[:3]:
        assert "Talks resume in Moscow" in client.get(url).content.decode(), url
    # Page 2 moved on by one story: its first story is the one page 1 no longer has.
    assert "Older story 19" in client.get(pages[3]).content.decode()

    story.headline = "Talks collapse in Moscow"
    story.save()
    for url in pages[:3]:
        body = client.get(url).content.decode()
        assert "Talks collapse in Moscow" in body and "Talks resume" not in body, url

    TRANSITIONS["unpublish"].execute(make_user("Editor"), story)
    for url in pages[:3]:
        assert "Talks collapse" not in client.get(url).content.decode(), url

    # A new section: the tree every process holds is renewed with it.
    belarus = make_section("Belarus", parent=world)
    make_article("Minsk votes", section=belarus, age=timedelta(0))
    body = client.get(world.get_absolute_url()).content.decode()
    assert belarus.get_absolute_url() in body and "Minsk votes" in body
    assert "Minsk votes" in client.get(belarus.get_absolute_url()).content.decode()
