"""A section, tag or author renamed: its old addresses, feeds and pages below included, send
readers and feed readers on with a permanent redirect (they went 404, silently)."""

import pytest

from dateline.newsroom.models import FormerAddress, Tag

pytestmark = pytest.mark.django_db


def moved(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 301, (path, response.status_code)
    return response["Location"]


def test_a_renamed_section_redirects_from_its_old_address_feeds_and_subsections(
        client, make_section, make_article):
    business = make_section("Business")
    metals = make_section("Metals", parent=business)
    aluminium = make_section("Aluminium", parent=metals)
    make_article("Smelter reopens", section=aluminium)
    metals.slug = "metals-and-mining"
    metals.save()
    assert client.get("/section/business/metals-and-mining/").status_code == 200
    assert moved(client, "/section/business/metals/") == "/section/business/metals-and-mining/"
    assert moved(client, "/section/business/metals/?page=2") == (
        "/section/business/metals-and-mining/?page=2")
    assert moved(client, "/section/business/metals/feed/rss/") == (
        "/section/business/metals-and-mining/feed/rss/")
    # A section below the renamed one moved with it.
    assert moved(client, "/section/business/metals/aluminium/feed/json/") == (
        "/section/business/metals-and-mining/aluminium/feed/json/")
    assert client.get(moved(client, "/section/business/metals/aluminium/")).status_code == 200


def test_a_renamed_tag_and_author_redirect_and_a_name_given_back_is_live_again(
        client, make_tag, make_author, make_article):
    grain = make_tag("Grain", Tag.Kind.TOPIC)
    make_article("Grain harvest begins", tags=[grain])  # a tag's page shows live stories
    grain.slug = "grain-crops"
    grain.save()
    assert moved(client, "/topics/grain/") == "/topics/grain-crops/"
    assert moved(client, "/topics/grain/feed/rss/") == "/topics/grain-crops/feed/rss/"
    writer = make_author("Ann Lee")
    writer.slug = "ann-lee-london"
    writer.save()
    assert moved(client, "/authors/ann-lee/") == writer.get_absolute_url()
    # Back to its first name: that address is the page again, the other one leads to it.
    grain.slug = "grain"
    grain.save()
    assert client.get("/topics/grain/").status_code == 200
    assert moved(client, "/topics/grain-crops/") == "/topics/grain/"
    assert not FormerAddress.objects.filter(old_url="/topics/grain/").exists()


def test_an_address_no_page_ever_had_is_still_not_found(client, make_section):
    make_section("World").save()
    assert client.get("/section/nowhere/").status_code == 404
    assert client.get("/topics/" + "x" * 800 + "/").status_code == 404
    assert client.get("/section/nowhere%00/").status_code == 404  # PostgreSQL refuses a NUL
    assert client.post("/section/nowhere/").status_code in (403, 404, 405)
