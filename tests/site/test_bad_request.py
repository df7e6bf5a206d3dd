"""A request Django cannot read is answered in words (JSON on the API), never its bare page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MANY = "&".join(["x=1"] * 1001)


def test_too_many_fields_in_an_address_is_said_on_a_page_and_in_the_api(client, make_section):
    section = make_section("World")
    for page in ("/search/?q=oil&", f"{section.get_absolute_url()}?", "/report/?"):
        answer = client.get(page + MANY)
        assert answer.status_code == 400, page
        assert answer["Content-Type"] == "text/plain; charset=utf-8"
        assert "more fields than any form or address of this site takes (at most 1,000)" in (
            answer.content.decode()), page
    api = client.get(f"/api/search?q=oil&{MANY}")
    assert api.status_code == 400 and api["Content-Type"] == "application/json"
    assert "at most 1,000" in api.json()["error"] and api.json()["status"] == 400


def test_a_form_larger_than_the_site_takes_is_a_413_in_words(client):
    answer = client.post(reverse("edition:subscribe"), {"email": "a@example.org",
                                                        "filler": "x" * 3_000_000})
    assert answer.status_code == 413
    assert "The form is larger than this site takes (2.5 MB without files)." in (
        answer.content.decode())
    assert "no-store" in answer["Cache-Control"]


def test_a_body_in_a_charset_nobody_can_read_and_a_strange_host_are_said(client):
    answer = client.post("/report/", b"a=1", content_type="application/x-www-form-urlencoded; "
                                                        "charset=utf-16")
    assert answer.status_code == 400 and "could not be read" in answer.content.decode()
    stranger = client.get("/", headers={"host": "evil.example"})
    assert stranger.status_code == 400
    assert stranger.content.decode() == "This site does not answer to that host name.\n"
