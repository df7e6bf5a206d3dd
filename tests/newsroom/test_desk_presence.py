"""Two editors on one story: each sees who else has it open, and when it was saved meanwhile."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from dateline.newsroom.models import Presence

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def beat(client: Client, article, version=None) -> dict:
    answer = client.post(f"/desk/newsroom/article/{article.pk}/presence/",
                         json.dumps({"version": version}), content_type="application/json")
    assert answer.status_code == 200
    return answer.json()


def named(make_user, role: str, username: str, first: str, last: str):
    user = make_user(role, username)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_the_heartbeat_lists_the_other_editor_with_role_and_since(make_user, make_article):
    reporter = named(make_user, "Reporter", "ben", "Ben", "Ode")
    article = make_article("Flood warning", created_by=reporter)  # his own story
    ann, ben = Client(), Client()
    ann.force_login(named(make_user, "Editor", "ann", "Ann", "Lee"))
    ben.force_login(reporter)
    assert beat(ann, article, 1)["others"] == []
    since = timezone.localtime(Presence.objects.get().since).strftime("%H:%M")
    answer = beat(ben, article, 1)
    assert answer["others"] == [f"Ann Lee (editor) has had this story open since {since}"]
    assert answer["newer"] == ""
    # Opening the page counts as being there, and the page names the others at once.
    page = ann.get(f"/desk/newsroom/article/{article.pk}/change/").content.decode()
    assert "Ben Ode (reporter) has had this story open since" in page
    assert Presence.objects.count() == 2


def test_editors_not_heard_from_for_30_seconds_are_gone(make_user, make_article):
    article = make_article()
    ann, ben = Client(), Client()
    ann.force_login(make_user("Editor", "ann"))
    ben.force_login(make_user("Editor", "ben"))
    beat(ann, article)
    Presence.objects.update(seen_at=timezone.now() - timedelta(seconds=31))
    assert beat(ben, article)["others"] == []
    # Back again after a pause: "since" starts anew.
    beat(ann, article)
    assert Presence.objects.get(user__username="ann").since > timezone.now() - timedelta(seconds=5)


def test_leaving_removes_presence(make_user, make_article):
    article = make_article()
    ann, ben = Client(), Client()
    ann.force_login(make_user("Editor", "ann"))
    ben.force_login(make_user("Editor", "ben"))
    beat(ann, article)
    left = ann.post(f"/desk/newsroom/article/{article.pk}/presence/leave/", "{}",
                    content_type="application/json")
    assert left.status_code == 200
    assert beat(ben, article)["others"] == []


def test_the_heartbeat_tells_of_a_newer_version(make_user, make_article):
    article = make_article("Flood warning")
    ann, ben = Client(), Client()
    ann.force_login(named(make_user, "Editor", "ann", "Ann", "Lee"))
    ben.force_login(make_user("Editor", "ben"))
    assert ann.post(f"/desk/newsroom/article/{article.pk}/change/", article_post_data(
        article, standfirst="Rivers rise.")).status_code == 302
    answer = beat(ben, article, 1)
    assert answer["version"] == 2
    assert answer["newer"].startswith("Ann Lee (editor) saved a newer version at ")
    assert answer["newer"].endswith("your save will ask you to merge.")
    assert beat(ben, article, 2)["newer"] == ""


def test_presence_is_only_for_those_who_may_see_the_story(make_user, make_article):
    article = make_article()
    contributor = Client()
    contributor.force_login(make_user("Contributor"))
    answer = contributor.post(f"/desk/newsroom/article/{article.pk}/presence/", "{}",
                              content_type="application/json")
    assert answer.status_code == 403 and answer.json()["ok"] is False
    assert not Presence.objects.exists()
