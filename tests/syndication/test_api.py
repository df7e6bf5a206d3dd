"""The wire API for partners: keys, limits, filters, pages and conditional GET."""

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from dateline.newsroom.models import Article, Tag
from dateline.syndication.models import ApiKey, Partner, hash_token

from ..pagecache.test_pagecache import Reader
from .ninjs_schema import errors

pytestmark = pytest.mark.django_db

LIST = "/api/ninjs/"


@pytest.fixture
def make_key(db):
    def make(rate_limit: int = 1000, partner: Partner | None = None) -> tuple[ApiKey, str]:
        partner = partner or Partner.objects.create(
            name=f"Agency {Partner.objects.count() + 1}", contact_email="desk@agency.example"
        )
        key = ApiKey(partner=partner, rate_limit=rate_limit)
        token = key.issue_token()
        key.save()
        return key, token

    return make


@pytest.fixture
def token(make_key):
    return make_key()[1]


@pytest.fixture
def api(client, token):
    """GET as a partner; returns the response."""

    def get(url: str, **headers):
        return client.get(url, headers={"Authorization": f"Bearer {token}", **headers})

    return get


@pytest.fixture
def newsroom(make_article, make_section, make_tag, make_author, make_source):
    """Live stories of every shape, and stories that must never leave the building."""
    business = make_section("Business")
    markets = make_section("Markets", parent=business)
    world = make_section("World")
    sofia = make_tag("Sofia", Tag.Kind.PLACE)
    people = [make_author("Ana Ivanova"), make_author("Ivan Petrov")]
    sources = [make_source("Reuters", "https://www.reuters.com/"), make_source("BTA")]
    live = [
        make_article("Rates rise", section=markets, age=timedelta(hours=1), authors=people,
                     sources=sources, tags=[sofia, make_tag("ECB", Tag.Kind.ORGANISATION),
                                            make_tag("Lagarde", Tag.Kind.PERSON),
                                            make_tag("Inflation")]),
        make_article("Banks merge", section=business, age=timedelta(hours=2),
                     sources=sources[:1]),
        make_article("Summit opens", section=world, age=timedelta(hours=3), tags=[sofia],
                     dateline="SOFIA, May 3"),
    ]
    now = timezone.now()
    hidden = [
        make_article("Draft", section=world, status=Article.Status.DRAFT, published_at=None),
        make_article("In review", section=world, status=Article.Status.REVIEW,
                     published_at=None),
        make_article("Scheduled", section=world, status=Article.Status.SCHEDULED,
                     published_at=now + timedelta(hours=1)),
        make_article("Future", section=world, published_at=now + timedelta(hours=1)),
        make_article("Embargoed", section=world, embargo_until=now + timedelta(hours=1)),
        make_article("Killed", section=world, status=Article.Status.UNPUBLISHED),
    ]
    return live, hidden


def headlines(response) -> list[str]:
    return [item["headlines"][0]["value"] for item in response.json()["items"]]


def test_only_live_stories_appear_each_a_valid_ninjs_item(api, newsroom):
    live, hidden = newsroom
    response = api(LIST)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/json; profile="http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"')
    assert headlines(response) == ["Rates rise", "Banks merge", "Summit opens"]
    body = response.json()
    assert body["next"] is None and "Link" not in response
    for item in body["items"]:
        assert errors(item) == [], item["uri"]
    one = api(f"/api/ninjs/{live[0].pk}")
    assert one.status_code == 200 and errors(one.json()) == []
    assert one.json() == body["items"][0]
    for story in hidden[:-1]:
        response = api(f"/api/ninjs/{story.pk}")
        assert response.status_code == 404, story.headline
        assert "error" in response.json()
    killed = api(f"/api/ninjs/{hidden[-1].pk}")  # gone: its canceled item, no body
    assert killed.status_code == 410 and killed.json()["pubStatus"] == "canceled"
    assert "bodies" not in killed.json()


def test_the_api_key_may_come_in_x_api_key_and_its_use_is_recorded(client, make_key,
                                                                     newsroom):
    key, token = make_key()
    assert client.get(LIST, headers={"X-Api-Key": token}).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.secret_hash == hash_token(token) and token not in key.secret_hash
    assert token.startswith(key.prefix)


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer dl_nope_nope"}, {"Authorization": "Basic dXNlcjpwdw=="},
    {"X-Api-Key": "wrong"},
])
def test_without_a_good_key_the_answer_is_401_with_a_challenge(client, newsroom, headers):
    for url in (LIST, f"/api/ninjs/{newsroom[0][0].pk}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["status"] == 401


def test_revoked_keys_and_inactive_partners_are_refused(client, make_key):
    key, token = make_key()
    ApiKey.objects.filter(pk=key.pk).update(active=False)
    assert client.get(LIST, headers={"X-Api-Key": token}).status_code == 401
    other, token = make_key()
    Partner.objects.filter(pk=other.partner_id).update(active=False)
    assert client.get(LIST, headers={"X-Api-Key": token}).status_code == 401


@pytest.mark.cache  # counted in Redis too under `make test-redis`
def test_over_the_rate_limit_the_answer_is_429_with_retry_after(client, make_key):
    _, token = make_key(rate_limit=2)
    _, other = make_key(rate_limit=2)
    auth = {"Authorization": f"Bearer {token}"}
    assert [client.get(LIST, headers=auth).status_code for _ in range(2)] == [200, 200]
    refused = client.get(LIST, headers=auth)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "2 requests a minute" in refused.json()["error"]
    assert client.get(LIST, headers={"X-Api-Key": other}).status_code == 200  # per key


def test_section_filter_includes_subsections(api, newsroom):
    assert headlines(api(LIST + "?section=business")) == ["Rates rise", "Banks merge"]
    assert headlines(api(LIST + "?section=business/markets")) == ["Rates rise"]


def test_tag_filter_takes_kind_and_slug_or_a_slug(api, newsroom, make_tag):
    make_tag("Sofia", Tag.Kind.PERSON)  # the same slug, another kind, on no story
    assert headlines(api(LIST + "?tag=place:sofia")) == ["Rates rise", "Summit opens"]
    assert headlines(api(LIST + "?tag=places:sofia")) == ["Rates rise", "Summit opens"]
    assert headlines(api(LIST + "?tag=person:sofia")) == []
    assert headlines(api(LIST + "?tag=sofia")) == ["Rates rise", "Summit opens"]
    assert headlines(api(LIST + "?tag=topic:inflation&section=business")) == ["Rates rise"]


def test_since_and_until_bound_the_publication_time(api, newsroom):
    live, _ = newsroom
    since = live[1].published_at.isoformat().replace("+00:00", "Z")
    until = live[0].published_at.astimezone(UTC).isoformat().replace("+00:00", "%2B00:00")
    assert headlines(api(f"{LIST}?since={since}")) == ["Rates rise", "Banks merge"]
    assert headlines(api(f"{LIST}?until={until}")) == ["Banks merge", "Summit opens"]
    assert headlines(api(f"{LIST}?since={since}&until={until}")) == ["Banks merge"]
    naive = live[2].published_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    assert headlines(api(f"{LIST}?until={naive}")) == []  # read as UTC
    assert headlines(api(f"{LIST}?since=2000-01-01")) == headlines(api(LIST))


@pytest.mark.parametrize("query", [
    "limit=0", "limit=101", "limit=ten", "limit=-1", "since=yesterday", "since=2024-13-01",
    "until=2024-05-01T25:00", "since=2024-05-02&until=2024-05-01", "cursor=forged",
    "section=nowhere", "tag=planet:mars", "tag=nothing-like-it", "page=2",
    "since=2024-05-01T09:30:00 02:00", "tag=place%00:x", "section=a%00b", "cursor=%00",
    # In UTC these are years 10000 and 0: off the calendar (they were a 500).
    "since=9999-12-31T23:59:59-05:00", "until=0001-01-01T00:00:00%2B05:00",
    "limit=5&limit=10", "tag=place:sofia&tag=place:usa",
])
def test_bad_parameters_are_a_400_that_says_what_to_send(api, newsroom, query):
    response = api(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 400 and response.json()["error"]


def test_a_tampered_cursor_is_refused(api, make_article):
    for n in range(3):
        make_article(age=timedelta(minutes=n + 1))
    cursor = parse_qs(urlsplit(api(f"{LIST}?limit=1").json()["next"]).query)["cursor"][0]
    assert api(f"{LIST}?limit=1&cursor={cursor}").status_code == 200
    assert api(f"{LIST}?limit=1&cursor={cursor[:-2]}xy").status_code == 400


def walk(api, url: str, between=None) -> list[str]:
    seen, pages = [], 0
    while url:
        response = api(url)
        assert response.status_code == 200
        body = response.json()
        seen.extend(item["uri"] for item in body["items"])
        if body["next"]:
            assert response["Link"] == f'<{body["next"]}>; rel="next"'
        else:
            assert "Link" not in response
        url, pages = body["next"], pages + 1
        if between and url:
            between(pages)
    return seen


def test_walking_the_pages_gives_every_story_once_even_as_new_ones_arrive(
        api, make_article, make_section):
    same_moment = timezone.now() - timedelta(hours=5)
    business = make_section("Business")
    stories = [make_article(f"Story {n}", section=business, age=timedelta(minutes=10 * n))
               for n in range(7)]
    # Stories filed at the same second are ordered by id, so none falls between two pages.
    stories += [make_article(f"Tied {n}", section=business, published_at=same_moment)
                for n in range(4)]
    expected = [f"{settings.DATELINE_SITE_URL}/articles/{a.pk}/" for a in
                sorted(stories, key=lambda a: (a.published_at, a.pk), reverse=True)]
    assert walk(api, f"{LIST}?limit=3") == expected
    arrivals = []

    def newer_story_arrives(page: int) -> None:
        arrivals.append(make_article(f"Breaking {page}", section=business,
                                     age=timedelta(seconds=1)))

    assert walk(api, f"{LIST}?limit=3&section=business", between=newer_story_arrives) \
        == expected
    assert len(arrivals) == 3
    first = api(f"{LIST}?limit=3&section=business")
    assert "section=business" in first.json()["next"] and "limit=3" in first.json()["next"]


# Transactional: the edit below must commit, so that its invalidation runs (as in production).
@pytest.mark.django_db(transaction=True)
def test_a_page_is_etagged_and_a_matching_if_none_match_is_a_304(api, newsroom):
    live, _ = newsroom
    first = api(LIST)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert "private" in first["Cache-Control"]
    assert f"a{live[0].pk}" in first["Surrogate-Key"].split()
    again = api(LIST, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # A cache refreshes its stored headers from a 304: the type is the answer's own, not HTML.
    assert again["Content-Type"] == first["Content-Type"]
    assert first["Content-Type"].startswith("application/")
    one = api(f"/api/ninjs/{live[0].pk}")
    assert api(f"/api/ninjs/{live[0].pk}",
               **{"If-None-Match": f'W/{one["ETag"]}'}).status_code == 304
    live[0].headline = "Rates rise again"
    live[0].save()
    assert api(LIST, **{"If-None-Match": etag}).status_code == 200
    assert api(f"/api/ninjs/{live[0].pk}",
               **{"If-None-Match": one["ETag"]}).status_code == 200


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_the_page_cache_never_keeps_a_partners_answer(make_article, make_key):
    make_article("Wire story")
    _, token = make_key()
    reader = Reader()
    status, headers, _ = reader.get(LIST, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert status == 200 and "X-Cache" not in headers
    status, _, body = reader.get(LIST)
    assert status == 401 and "Wire story" not in body


def test_the_openapi_document_describes_the_api(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/ninjs/", "/ninjs/changes", "/ninjs/{id}", "/search"}
    search = document["paths"]["/search"]["get"]
    assert search["security"] == []  # public, unlike the wire
    assert {p["name"] for p in search["parameters"]} >= {"q", "section", "tag", "sort", "page"}
    assert next(p for p in search["parameters"] if p["name"] == "q")["required"] is True
    assert document["servers"] == [{"url": "http://testserver/api"}]
    listing = document["paths"]["/ninjs/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "section", "tag", "since", "until", "limit", "cursor"}
    assert set(listing["responses"]) == {"200", "304", "400", "401", "406", "429"}
    assert set(document["paths"]["/ninjs/{id}"]["get"]["responses"]) == {
        "200", "304", "400", "401", "404", "406", "410", "429"}
    changed = document["paths"]["/ninjs/changes"]["get"]
    assert {p["name"] for p in changed["parameters"]} >= {"since", "cursor", "limit", "version"}
    assert set(changed["responses"]) == {"200", "304", "400", "401", "406", "429"}
    version = next(p for p in listing["parameters"] if p["name"] == "version")
    assert version["schema"]["enum"] == ["1", "1.5", "1.6", "2", "2.1", "3", "3.1"]
    assert 'profile="http://www.iptc.org/std/ninjs/ninjs-schema_1.6.json"' in (
        document["info"]["description"])
    assert document["components"]["schemas"]["NinjsItem"] == {"anyOf": [
        {"$ref": f"http://www.iptc.org/std/ninjs/ninjs-schema_{v}.json#"}
        for v in ("3.1", "2.1", "1.6", "1.5")]}
    assert set(search["responses"]) == {"200", "304", "400", "503"}
    assert set(document["components"]["securitySchemes"]) == {"bearer", "apiKey"}


def test_the_desk_shows_a_new_keys_token_once_and_keeps_only_its_hash(admin_client):
    partner = Partner.objects.create(name="Agency", contact_email="desk@agency.example")
    saved = admin_client.post("/desk/syndication/apikey/add/", {
        "partner": partner.pk, "label": "ingest", "rate_limit": 60, "active": "on",
    })
    assert saved.status_code == 302
    # Carried to the next page in the editor's session, never in a cookie: a messages cookie
    # is signed, not encrypted (an outside tester's finding).
    assert "messages" not in saved.cookies
    response = admin_client.get(saved["Location"])
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = re.search(r"(dl_[0-9a-f]{8}_[\w-]{20,})", response.content.decode()).group(1)
    assert hash_token(shown) == key.secret_hash and shown.startswith(key.prefix)
    page = admin_client.get(f"/desk/syndication/apikey/{key.pk}/change/").content.decode()
    assert key.prefix in page and shown not in page
    assert admin_client.get(f"/desk/syndication/partner/{partner.pk}/change/").status_code \
        == 200


@pytest.mark.parametrize("url", [LIST, "/api/ninjs/1", "/api/search?q=x", "/api/openapi.json"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW"])
def test_the_api_answers_only_reads(client, token, url, method):
    response = client.generic(method, url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD" and response["Content-Type"] == "application/json"
    assert response.json()["status"] == 405 and "GET" in response.json()["error"]


def test_a_partners_post_hears_405_not_the_csrf_page(token):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        LIST, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 405 and response.json()["status"] == 405


def test_an_accept_header_past_djangos_limit_is_a_400_in_words(api):
    """Django reads no header longer than 10,000 characters: it was an empty 500."""
    for url in (LIST, "/api/ninjs/changes"):
        response = api(url, Accept="application/json; profile=" + "x" * 10_100)
        assert response.status_code == 400 and response.json()["status"] == 400, url
        assert "Accept header is longer than 10,000 characters" in response.json()["error"]


@pytest.mark.parametrize("bad_id", [
    "abc", "12abc", "1.5", "-1", "0x10", "%D9%A3", "%EF%BC%91", "%F0%9F%93%B0",
    "99999999999999999999999999999", "9223372036854775808", "1/", "1/extra",
])
def test_a_bad_or_unknown_id_is_a_json_404(api, bad_id):
    response = api(f"/api/ninjs/{bad_id}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 404 and response.json()["error"]


def test_any_unknown_api_address_is_a_json_404(api, client):
    for url in ("/api/", "/api/nowhere", "/api/ninjs", "/api/ninjs/1/2/3", "/api/%E2%98%83"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["status"] == 404, url


@pytest.mark.parametrize("query", [
    "", "q=", "q=%20%20", "q=x&to=2024-13-01", "q=x&to=yesterday", "q=x&to=20240501",
    "q=x&from=2024-02-30", "q=x&from=2024-05-02&to=2024-05-01", "q=x&section=abc",
    "q=x&section=0", "q=x&tag=-3", "q=x&author=99999999999", "q=x&author=%EF%BC%91",
    "q=x&sort=oldest", "q=x&page=0", "q=x&page=x", "q=x&page=51", "q=x&utm_source=mail",
    "q=x%00y", "q=x&sort=newest%00",
    # Given twice: one value was read and the other dropped unsaid.
    "q=oil&q=gas", "q=x&section=1&section=2",
])
def test_a_bad_search_parameter_is_a_json_400(client, query):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400, query
    assert response["Content-Type"] == "application/json"
    assert response.json()["status"] == 400 and response.json()["error"]


def test_a_good_search_with_every_parameter_is_answered(client, make_article, make_author):
    story = make_article("Inflation report", authors=[make_author("Ana Ivanova")])
    author = story.authors.get()
    query = (f"q=inflation&section={story.section_id}&author={author.pk}&from=2000-01-01"
             "&to=2100-12-31&sort=newest&page=1")
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [story.pk]


def test_the_document_refuses_an_empty_q_itself(client):
    search = client.get("/api/openapi.json").json()["paths"]["/search"]["get"]
    q = next(p for p in search["parameters"] if p["name"] == "q")
    assert q["required"] is True and q["schema"]["minLength"] == 1
    # Spaces alone are no words either: a client generating from the document (Schemathesis)
    # sent "%20" as valid, and the API answered 400.
    from jsonschema import Draft202012Validator

    schema = Draft202012Validator(q["schema"])
    assert schema.is_valid("oil") and schema.is_valid(" oil ")
    assert not schema.is_valid("   ") and not schema.is_valid("")


def test_the_openapi_document_is_valid_openapi_3_1(client):
    from jsonschema_path import SchemaPath
    from openapi_spec_validator import OpenAPIV31SpecValidator

    from .ninjs_schema import GEOJSON_URI, load, schema

    offline = {f"http://www.iptc.org/std/ninjs/ninjs-schema_{v}.json": schema(v)
               for v in ("3.1", "2.1", "1.6", "1.5")}
    offline[GEOJSON_URI] = load("GeoJSON-schema.json")
    fetched = []

    def fetch(uri: str) -> dict:  # the schemas it names by URL, from the fixtures: no network
        fetched.append(uri)
        return offline[uri.split("#")[0]]

    document = client.get("/api/openapi.json").json()
    OpenAPIV31SpecValidator(
        SchemaPath.from_dict(document, handlers={"http": fetch, "https": fetch})).validate()
    assert fetched  # the items' schema was followed, not skipped


def test_an_item_of_a_section_without_a_topic_has_no_medtop_subject(api, newsroom):
    live, _ = newsroom
    world_item = api(f"/api/ninjs/{live[2].pk}").json()
    assert "subjects" not in world_item
    business_item = api(f"/api/ninjs/{live[1].pk}").json()
    assert business_item["subjects"][0]["uri"].endswith("/mediatopic/04000000")
    assert datetime.fromisoformat(business_item["versionCreated"])


def test_a_page_costs_the_same_few_queries_however_many_stories_it_holds(
        api, make_article, make_section, make_tag, make_author, make_source,
        django_assert_max_num_queries):
    markets = make_section("Markets", parent=make_section("Business"))

    def file(n: int) -> None:
        for i in range(n):
            make_article(section=markets, tags=[make_tag(f"Tag {n}-{i}", Tag.Kind.PLACE)],
                         authors=[make_author(f"Author {n}-{i}")],
                         sources=[make_source(f"Source {n}-{i}")])

    # The key, the section and its subtree, the page's ids, the stories not yet formatted with
    # their authors, sources and tags, the sections' Media Topics, the stories' lead photos
    # (their renditions one more, when there are any), their body photos (the same), their
    # related stories (dateline.intelligence) and their corrections and updates; and the
    # key's rate counter
    # (two statements, shared by every worker in the database).
    file(2)
    api(LIST)  # the key's last use is stamped once a minute, not on every request
    with django_assert_max_num_queries(15):
        assert len(api(f"{LIST}?section=business").json()["items"]) == 2
    file(20)
    with django_assert_max_num_queries(15):
        assert len(api(f"{LIST}?section=business").json()["items"]) == 20


@pytest.mark.django_db(transaction=True)
def test_wire_items_are_kept_and_refreshed_when_their_story_changes(api, make_article,
                                                                    django_assert_max_num_queries):
    """Items formatted once are served from the page cache's parts until their story changes."""
    stories = [make_article(f"Wire story {i}") for i in range(5)]
    first = api(LIST).json()["items"]
    # The key, its rate counter (two statements), section/tag checks, ids; no formatting.
    with django_assert_max_num_queries(6):
        assert api(LIST).json()["items"] == first
    stories[2].headline = "Wire story 2, corrected"
    stories[2].save()
    items = api(LIST).json()["items"]
    headlines = [item["headlines"][0]["value"] for item in items]
    assert "Wire story 2, corrected" in headlines and "Wire story 2" not in headlines


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_a_rare_tags_list_starts_from_its_links_not_the_whole_archive(api, newsroom):
    """With an archive's statistics (tests/query_plans.py), the list for a tag on few stories
    walked the publication index and looked each story's tags up: the whole archive for a
    rare tag (80-108 ms at 100,000 stories)."""
    from django.test.utils import CaptureQueriesContext

    from tests.query_plans import install_archive_statistics, plan

    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        assert headlines(api(LIST + "?tag=place:sofia")) == ["Rates rise", "Summit opens"]
    listing = [q["sql"] for q in queries.captured_queries
               if "LIMIT" in q["sql"] and "newsroom_article_tags" in q["sql"]]
    steps = plan(listing[0])
    assert not [step for step in steps if "article_live_idx" in step], steps
