"""The page cache keeps only public answers, whatever the path list says, and reports hits."""

import json
import logging
import re
from itertools import count

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from django.utils.cache import patch_cache_control, patch_vary_headers
from prometheus_client import REGISTRY

from dateline.ops.logs import JsonFormatter
from dateline.pagecache import keys
from dateline.pagecache.policy import bypass_reason, store_refusal
from dateline.syndication.models import ApiKey, Partner

from .test_pagecache import Reader

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]

_served = count(1)


def page(request, **cache_control):
    """A page that names its keys, as cacheable pages do, and says which render it is."""
    response = HttpResponse(f"render {next(_served)}")
    keys.add(response, keys.HOME)
    if cache_control:
        patch_cache_control(response, **cache_control)
    return response


def unkeyed(request):
    """A page that names no keys: nothing could purge it when what it shows changes."""
    return HttpResponse(f"render {next(_served)}")


def with_cookie(request):
    response = page(request)
    response.set_cookie("seen", "1")
    return response


def varying_on(*headers):
    def view(request):
        response = page(request)
        patch_vary_headers(response, headers)
        return response

    return view


urlpatterns = [
    path("public/", page),
    path("unkeyed/", unkeyed),
    path("public-for-a-minute/", page, {"public": True, "max_age": 60}),
    path("gzip/", varying_on("Accept-Encoding")),
    path("private/", page, {"private": True}),
    path("no-store/", page, {"no_store": True}),
    path("no-cache/", page, {"no_cache": True}),
    path("max-age-0/", page, {"max_age": 0}),
    path("s-maxage-0/", page, {"public": True, "s_maxage": 0, "max_age": 60}),
    path("cookie/", with_cookie),
    path("vary-cookie/", varying_on("Cookie")),
    path("vary-authorization/", varying_on("Authorization")),
    path("vary-star/", varying_on("*")),
]


def count_of(outcome: str, reason: str = "") -> float:
    labels = {"outcome": outcome, "reason": reason}
    return REGISTRY.get_sample_value("dateline_page_cache_total", labels) or 0.0


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/public/", "/public-for-a-minute/", "/gzip/"])
def test_a_public_answer_is_stored_and_served_to_the_next_reader(url):
    first, second = Reader(), Reader()
    _, headers, body = first.get(url)
    assert headers["X-Cache"] == "MISS"
    _, again, same = second.get(url)
    assert (again["X-Cache"], same) == ("HIT", body)
    if url == "/public-for-a-minute/":  # the view's own word is kept, not replaced by ours
        assert set(again["Cache-Control"].split(", ")) == {"public", "max-age=60"}


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(("url", "reason"), [
    ("/private/", "private"), ("/no-store/", "no_store"), ("/no-cache/", "no_cache"),
    ("/max-age-0/", "max_age"), ("/s-maxage-0/", "max_age"), ("/cookie/", "cookie"),
    ("/vary-cookie/", "vary"), ("/vary-authorization/", "vary"), ("/vary-star/", "vary"),
])
def test_an_answer_that_is_not_public_is_never_stored_or_served_to_another(url, reason):
    refused = count_of("refused", reason)
    first, second = Reader(), Reader()
    _, headers, body = first.get(url)
    _, other_headers, other_body = second.get(url)
    assert other_body != body, "a second reader got the first reader's copy"
    assert "X-Cache" not in headers and "X-Cache" not in other_headers
    assert count_of("refused", reason) == refused + 2
    # The view's Cache-Control is the one sent: never turned public.
    assert "public" not in headers.get("Cache-Control", "") or reason == "max_age"
    if reason in ("private", "no_store", "no_cache"):
        assert reason.replace("_", "-") in headers["Cache-Control"]


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_names_no_keys_is_never_stored_and_keeps_its_headers():
    refused = count_of("refused", "unkeyed")
    first, second = Reader(), Reader()
    _, headers, body = first.get("/unkeyed/")
    _, other_headers, other_body = second.get("/unkeyed/")
    assert other_body != body and "X-Cache" not in headers and "X-Cache" not in other_headers
    assert count_of("refused", "unkeyed") == refused + 2
    # Only a page that names keys is marked private when it is not kept.
    assert "Cache-Control" not in headers and "Surrogate-Key" not in headers


@pytest.mark.parametrize(("user", "cache_control", "reason"), [
    (AnonymousUser(), {}, None),
    (User(username="desk"), {}, "editor"),  # logged in another way than the session cookie
    (User(username="desk"), {"private": True}, "private"),  # the page's own word comes first
])
def test_why_a_rendered_page_is_not_stored(user, cache_control, reason):
    request = RequestFactory().get("/public/")
    request.user = user
    assert store_refusal(request, page(request, **cache_control)) == reason
    assert store_refusal(request, unkeyed(request)) == "unkeyed"


@override_settings(ROOT_URLCONF=__name__)
def test_a_reader_whose_copy_is_current_gets_304_from_the_render_that_stores_it():
    since = "Fri, 01 Jan 2100 00:00:00 GMT"  # later than any page: the reader's copy is current
    status, headers, body = Reader().get("/public/", HTTP_IF_MODIFIED_SINCE=since)
    assert (status, body, headers["X-Cache"]) == (304, "", "MISS")
    assert "Content-Length" not in headers and headers["ETag"]
    status, headers, body = Reader().get("/public/")  # stored whole, for the next reader
    assert (status, headers["X-Cache"]) == (200, "HIT") and body.startswith("render ")


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("credentials", [
    {"HTTP_AUTHORIZATION": "Bearer some-token"}, {"HTTP_X_API_KEY": "some-token"},
])
def test_credentials_skip_the_cache_only_where_they_are_read(credentials):
    """Under /api/ and /metrics a key is checked on every request; on a public page it changes
    nothing, and a made-up one made every page render afresh (an outside tester's finding)."""
    reader = Reader()
    _, _, stored = reader.get("/public/")
    assert reader.get("/public/")[2] == stored  # a reader without credentials gets the copy
    _, headers, body = reader.get("/public/", **credentials)
    assert body == stored and headers["X-Cache"] == "HIT"
    with override_settings(DATELINE_PAGE_CACHE_EXCLUDE=()):  # the second guard alone
        for where in ("/api/ninjs/", "/metrics"):
            environ = {**RequestFactory().get(where).environ, **credentials}
            assert bypass_reason(environ) == "authorization"


@override_settings(ROOT_URLCONF=__name__)
def test_a_key_in_the_query_string_is_never_answered_from_the_cache():
    reader = Reader()
    _, _, stored = reader.get("/public/")
    bypassed = count_of("bypass", "query")
    _, headers, body = reader.get("/public/?api_key=some-token")
    assert body != stored and "X-Cache" not in headers
    assert count_of("bypass", "query") == bypassed + 1


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
@override_settings(DATELINE_PAGE_CACHE_EXCLUDE=())
def test_a_partners_answer_is_not_kept_even_without_the_path_list(header, make_article):
    make_article("Wire story for partners")
    partner = Partner.objects.create(name="Agency", contact_email="desk@agency.example")
    key = ApiKey(partner=partner, rate_limit=1000)
    token = key.issue_token()
    key.save()
    reader = Reader()
    credentials = {header: f"Bearer {token}" if header == "HTTP_AUTHORIZATION" else token}
    for _ in range(2):
        status, headers, body = reader.get("/api/ninjs/", **credentials)
        assert status == 200 and "Wire story for partners" in body
        assert "X-Cache" not in headers and "private" in headers["Cache-Control"]
    status, headers, body = reader.get("/api/ninjs/")
    assert status == 401 and "Wire story for partners" not in body


@pytest.mark.parametrize("url", ["/report/", "/edition/subscribe/"])
def test_forms_with_their_own_cache_control_stay_uncached(url):
    first, second = Reader(), Reader()
    _, headers, _ = first.get(url)
    _, other, _ = second.get(url)
    assert "X-Cache" not in headers and other.get("X-Cache") != "HIT"
    assert "private" in headers["Cache-Control"]


def test_hits_are_counted_in_metrics_and_written_to_the_access_log(client, make_article, caplog):
    url = make_article("Counted story").get_absolute_url()
    reader = Reader()
    hits, misses, stored = count_of("hit"), count_of("miss"), count_of("stored")
    caplog.set_level(logging.INFO, logger="dateline.access")
    assert reader.get(url)[1]["X-Cache"] == "MISS"
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    assert (count_of("hit"), count_of("miss"), count_of("stored")) == (
        hits + 2, misses + 1, stored + 1)
    lines = [r for r in caplog.records if r.name == "dateline.access" and r.path == url]
    assert [r.cache for r in lines] == ["stored", "hit", "hit"]
    entry = json.loads(JsonFormatter().format(lines[-1]))
    assert entry["message"].startswith(f"GET {url} 200 ") and entry["message"].endswith(
        " cache=hit")
    assert (entry["method"], entry["path"], entry["status"], entry["cache"]) == (
        "GET", url, 200, "hit")
    assert isinstance(entry["duration_ms"], float)
    text = client.get("/metrics").content.decode()
    found = re.search(r'^dateline_page_cache_total\{outcome="hit",reason=""\} (\S+)$', text,
                      re.M)
    assert found is not None and float(found.group(1)) == hits + 2


def test_a_conditional_hit_is_logged_with_its_304(make_article, caplog):
    url = make_article().get_absolute_url()
    reader = Reader()
    caplog.set_level(logging.INFO, logger="dateline.access")
    etag = reader.get(url)[1]["ETag"]
    caplog.clear()
    assert reader.get(url, HTTP_IF_NONE_MATCH=etag)[0] == 304
    (line,) = [r for r in caplog.records if r.name == "dateline.access"]
    assert (line.status, line.cache) == (304, "hit")
