"""A desk form posted into an ended session: after the login the editor is back on the page it
was sent from (where desk/unsent.js puts the text back), never on a foreign address or on a
URL that only takes posts. The browser's side: test_desk_editing_browser.py."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def next_after_login(response) -> str:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/desk/login/"
    return parse_qs(location.query)["next"][0]


@pytest.mark.parametrize(("referer", "back_to"), [
    ("http://testserver/desk/newsroom/article/{pk}/change/?_changelist_filters=q%3Dx",
     "/desk/newsroom/article/{pk}/change/?_changelist_filters=q%3Dx"),
    ("https://evil.example/desk/newsroom/article/{pk}/change/", "/desk/"),
    ("http://testserver/section/world/", "/desk/"),  # the site's, not the desk's
    ("http://testserver/desk/login/?next=/desk/", "/desk/"),
    ("javascript:alert(1)", "/desk/"),
    ("", "/desk/"),
])
def test_a_post_into_an_ended_session_returns_to_the_page_it_came_from(
        make_article, referer, back_to):
    story = make_article("Storm")
    answer = Client().post(f"/desk/newsroom/article/{story.pk}/notes/",
                           {"kind": "correction", "text": "Wrong wind speed."},
                           headers={"Referer": referer.format(pk=story.pk)} if referer else {})
    assert next_after_login(answer) == back_to.format(pk=story.pk)


def test_a_get_still_returns_to_its_own_address(make_article):
    story = make_article("Storm")
    answer = Client().get(f"/desk/newsroom/article/{story.pk}/change/",
                          headers={"Referer": "http://testserver/desk/"})
    assert next_after_login(answer) == f"/desk/newsroom/article/{story.pk}/change/"


def test_logging_out_without_a_session_still_goes_to_the_front_page():
    answer = Client().post("/desk/logout/", headers={"Referer": "http://testserver/desk/x/"})
    assert answer.status_code == 302
    assert urlsplit(answer["Location"]).path == "/desk/"
