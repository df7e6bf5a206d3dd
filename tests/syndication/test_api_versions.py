"""The wire in every ninjs generation, and conditional GET that lets a partner poll cheaply."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dateline.syndication.models import Partner

from .ninjs_schema import errors
from .test_api import LIST, make_key  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

PROFILE = "http://www.iptc.org/std/ninjs/ninjs-schema_{}.json"


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="Superdesk user", contact_email="ingest@sd.example")


@pytest.fixture
def api(client, make_key, partner):  # noqa: F811
    _, token = make_key(partner=partner)

    def get(url: str, **headers):
        return client.get(url, headers={"Authorization": f"Bearer {token}", **headers})

    return get


@pytest.fixture
def stories(make_article):
    return [make_article(f"Story {n}", age=timedelta(minutes=n + 1)) for n in range(3)]


def version_of(response) -> str:
    assert response.status_code == 200, response.content
    item = response.json()
    item = item["items"][0] if "items" in item else item
    standard = item.get("standard") or item["$standard"]
    assert response["Content-Type"] == (
        f'application/json; profile="{PROFILE.format(standard["version"])}"')
    assert errors(item, standard["version"]) == []
    return standard["version"]


@pytest.mark.parametrize(("asked", "version"), [
    ("1", "1.6"), ("1.5", "1.5"), ("1.6", "1.6"), ("2", "2.1"), ("2.1", "2.1"),
    ("3", "3.1"), ("3.1", "3.1"),
])
def test_version_picks_the_generation_for_the_list_and_a_single_item(api, stories, asked,
                                                                     version):
    assert version_of(api(f"{LIST}?version={asked}")) == version
    assert version_of(api(f"/api/ninjs/{stories[0].pk}?version={asked}")) == version


def test_the_next_link_keeps_the_version(api, stories):
    first = api(f"{LIST}?version=1&limit=1").json()
    assert "version=1" in first["next"]
    assert "headline" in api(first["next"]).json()["items"][0]


@pytest.mark.parametrize("version", ["1.5", "1.6", "2.1", "3.1"])
def test_an_accept_profile_picks_the_generation(api, stories, version):
    accept = f'application/json; profile="{PROFILE.format(version)}"'
    assert version_of(api(LIST, Accept=accept)) == version
    assert version_of(api(f"/api/ninjs/{stories[0].pk}", Accept=accept)) == version
    https = f'application/json;profile="{PROFILE.format(version).replace("http:", "https:")}#"'
    assert version_of(api(LIST, Accept=https)) == version


def test_the_best_ranked_served_profile_wins_and_version_beats_accept(api, stories):
    accept = (f'application/json; profile="{PROFILE.format("2.1")}"; q=0.5, '
              f'application/json; profile="{PROFILE.format("1.6")}"')
    assert version_of(api(LIST, Accept=accept)) == "1.6"
    assert version_of(api(f"{LIST}?version=3", Accept=accept)) == "3.1"


def test_the_partners_default_applies_when_the_request_names_none(api, stories, partner):
    assert version_of(api(LIST)) == "3.1"
    assert version_of(api(LIST, Accept="application/json")) == "3.1"
    partner.ninjs_version = "1.6"
    partner.save()
    assert version_of(api(LIST)) == "1.6"
    assert version_of(api(LIST, Accept="*/*")) == "1.6"
    assert version_of(api(f"{LIST}?version=2")) == "2.1"


def test_an_unknown_version_is_a_400_and_an_unserved_profile_a_406(api, stories):
    response = api(f"{LIST}?version=4")
    assert response.status_code == 400 and "1, 1.5, 1.6, 2, 2.1, 3, 3.1" in response.json()["error"]
    assert api(f"/api/ninjs/{stories[0].pk}?version=1.0").status_code == 400
    response = api(LIST, Accept=f'application/json; profile="{PROFILE.format("1.0")}"')
    assert response.status_code == 406 and "ninjs-schema_1.0" in response.json()["error"]
    # A client that takes plain JSON as well as the unserved profile gets its default.
    either = f'application/json; profile="{PROFILE.format("1.0")}", application/json; q=0.1'
    assert version_of(api(LIST, Accept=either)) == "3.1"


def test_the_desk_sets_a_partners_default_version(admin_client, partner):
    response = admin_client.post(f"/desk/syndication/partner/{partner.pk}/change/", {
        "name": partner.name, "contact_email": partner.contact_email, "active": "on",
        "ninjs_version": "1.6",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    partner.refresh_from_db()
    assert partner.ninjs_version == "1.6"
    assert b"ninjs 1.6" in admin_client.get("/desk/syndication/partner/").content


def poll_twice(get, url: str) -> None:
    """Ask, then ask again an hour later with the ETag: unchanged, the answer is a 304."""
    first = get(url)
    assert first.status_code == 200 and first["ETag"]
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        again = get(url, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304, url
    assert again.content == b"" and again["ETag"] == first["ETag"]


def test_a_partner_re_polling_an_unchanged_page_with_a_next_link_hears_304(api, stories):
    page = api(f"{LIST}?limit=1").json()
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        assert api(f"{LIST}?limit=1").json()["next"] == page["next"]  # no timestamp in it
    for url in (f"{LIST}?limit=1", page["next"], f"{LIST}?version=1&limit=2",
                f"/api/ninjs/{stories[0].pk}?version=2"):
        poll_twice(api, url)


def test_search_and_the_openapi_document_answer_304_when_unchanged(client, stories):
    def get(url: str, **headers):
        return client.get(url, headers=headers)

    for url in ("/api/openapi.json", "/api/search?q=story", "/api/search?q=nothingmatches"):
        poll_twice(get, url)


@pytest.mark.django_db(transaction=True)
def test_a_search_answer_changes_its_etag_when_a_story_it_lists_changes(client, make_article):
    story = make_article("Inflation slows")
    first = client.get("/api/search?q=inflation")
    assert first.json()["total"] == 1
    story.headline = "Inflation slows further"
    story.save()
    again = client.get("/api/search?q=inflation", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
