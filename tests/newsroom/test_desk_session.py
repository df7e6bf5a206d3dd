"""The editor page's requests hear in JSON that the desk session ended, never a login page,
and the page can fetch the CSRF token of a login made since it opened."""

import json

import pytest
from django.test import Client

from dateline.newsroom.models import Autosave, Presence

pytestmark = pytest.mark.django_db

SESSION = "/desk/session/"


def post_json(client, url: str, payload: dict, token: str = ""):
    return client.post(url, json.dumps(payload), content_type="application/json",
                       headers={"X-CSRFToken": token} if token else {})


def test_the_editors_requests_after_a_logout_hear_401_in_json(make_user, make_article):
    client = Client()
    client.force_login(make_user("Editor"))
    article = make_article()
    assert client.get(SESSION).json()["ok"] is True
    client.logout()  # expired, or logged out in another tab
    urls = [f"/desk/newsroom/article/{article.pk}/autosave/", "/desk/newsroom/article/autosave/",
            f"/desk/newsroom/article/{article.pk}/presence/",
            f"/desk/newsroom/article/{article.pk}/presence/leave/"]
    for url in urls:
        answer = post_json(client, url, {"base_version": 1, "data": {"headline": ["Typed"]}})
        # Before: a redirect to the login page, which the page read as "no connection".
        assert answer.status_code == 401, url
        assert answer["Content-Type"] == "application/json"
        assert answer.json()["ok"] is False and "logged out" in answer.json()["error"]
    checked = client.get(SESSION)
    assert checked.status_code == 401 and "no-store" in checked["Cache-Control"]
    assert not Autosave.objects.exists() and not Presence.objects.exists()


def test_a_reader_without_a_desk_role_is_not_told_a_token(make_user):
    client = Client()
    reader = make_user("Editor", "former")
    reader.is_staff = False  # no longer on the desk
    reader.save()
    client.force_login(reader)
    assert client.get(SESSION).status_code == 401


def test_the_token_of_a_login_made_elsewhere_is_given_and_passes(make_user, make_article):
    editor = make_user("Editor")
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    client.get(f"/desk/newsroom/article/{article.pk}/change/")
    old = client.cookies["csrftoken"].value
    url = f"/desk/newsroom/article/{article.pk}/autosave/"
    payload = {"base_version": 1, "data": {"headline": ["Typed"]}}
    assert post_json(client, url, payload, old).status_code == 200
    # The editor logs out and in again in another tab: Django gives the login a new token,
    # and the one the open page holds is refused.
    client.logout()
    client.force_login(editor)
    client.get("/desk/")
    assert client.cookies["csrftoken"].value != old
    assert post_json(client, url, payload, old).status_code == 403
    answer = client.get(SESSION)
    assert answer.status_code == 200 and "no-cache" in answer["Cache-Control"]
    fresh = answer.json()["csrf"]
    assert post_json(client, url, payload, fresh).status_code == 200
    plain = Client()
    plain.force_login(editor)
    assert plain.post(SESSION).status_code == 405  # it only reads
