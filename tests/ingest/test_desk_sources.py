"""Sources in the desk: the feeds' list and change pages per role, their health in words, the
Resume polling and Poll now actions, and unreadable payloads shown read-only for a week."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.ingest.admin import ago
from dateline.ingest.models import FailedPayload, Feed

from . import desk_rows

LIST = "/desk/ingest/feed/"


@pytest.fixture
def feeds(db):
    now = timezone.now()
    healthy = desk_rows.feed("Le Monde", language="fr",
                             last_success_at=now - timedelta(minutes=12))
    broken = desk_rows.feed(
        "Die Zeit", last_error="The server took longer than 10 seconds to answer.",
        last_error_at=now - timedelta(hours=2), failures=10, paused_at=now - timedelta(hours=1),
        paused_reason="10 failed polls in a row")
    for n in range(14):
        desk_rows.item(healthy, f"Story {n}", age=timedelta(days=n % 7, hours=1))
    desk_rows.item(healthy, "An old story", age=timedelta(days=9))
    return healthy, broken


def test_editors_see_the_feeds_with_their_health_in_words(feeds, make_user, desk_client):
    page = desk_client(make_user("Editor")).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "12 minutes ago" in html
    assert "The server took longer than 10 seconds to answer." in html
    assert "Paused 1 hour ago: 10 failed polls in a row" in html
    assert "2.0" in html  # 14 items in the last 7 days, the old one not counted
    assert "never" in html  # the broken feed never succeeded


def test_the_list_costs_the_same_queries_however_many_feeds(feeds, make_user, desk_client,
                                                            django_assert_max_num_queries):
    client = desk_client(make_user("Editor"))
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(10):
        desk_rows.item(desk_rows.feed(f"Outlet {n}"), "Something")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_the_change_page_shows_rights_and_health(feeds, make_user, desk_client):
    healthy, _ = feeds
    page = desk_client(make_user("Editor")).get(f"{LIST}{healthy.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("May quote", "May republish", "Full text", "Poll interval",
                  "Outlet&#x27;s rights", "Last success 12 minutes ago"):
        assert label in html


@pytest.mark.parametrize("role, status", [("Reporter", 403), ("Contributor", 403),
                                          ("Editor", 200), ("Chief editor", 200)])
def test_who_sees_the_feeds(feeds, make_user, desk_client, role, status):
    user = make_user(role)
    if role == "Chief editor":
        from dateline.newsroom.desk import two_factor
        if two_factor.role_requires_it(user):
            pytest.skip("the chief editor's role requires two-factor here")
    assert desk_client(user).get(LIST).status_code == status


def test_resume_polling_clears_the_pause_and_says_so(feeds, make_user, desk_client):
    _, broken = feeds
    answer = desk_client(make_user("Editor")).post(
        LIST, {"action": "resume_polling", "_selected_action": [broken.pk]}, follow=True)
    broken.refresh_from_db()
    assert broken.paused_at is None and broken.failures == 0
    assert broken.next_poll_at is not None and broken.next_poll_at <= timezone.now()
    assert "polling resumed" in answer.content.decode()


def test_poll_now_books_active_feeds_and_names_the_paused(feeds, make_user, desk_client):
    healthy, broken = feeds
    answer = desk_client(make_user("Editor")).post(
        LIST, {"action": "poll_now", "_selected_action": [healthy.pk, broken.pk]}, follow=True)
    healthy.refresh_from_db()
    broken.refresh_from_db()
    assert healthy.next_poll_at <= timezone.now()
    assert broken.next_poll_at is None
    assert "1 paused or off, resume them first" in answer.content.decode()


def test_failed_payloads_are_read_only_and_a_week_long(feeds, make_user, desk_client):
    _, broken = feeds
    fresh = FailedPayload.objects.create(feed=broken, error="Not XML: the answer was an HTML page.",
                                         payload=b"<html><script>alert(1)</script>")
    old = FailedPayload.objects.create(feed=broken, error="An old failure", payload=b"x")
    FailedPayload.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=8))
    client = desk_client(make_user("Editor"))
    html = client.get("/desk/ingest/failedpayload/").content.decode()
    assert "Not XML: the answer was an HTML page." in html and "An old failure" not in html
    detail = client.get(f"/desk/ingest/failedpayload/{fresh.pk}/change/").content.decode()
    assert "&lt;script&gt;" in detail and "<script>alert" not in detail
    assert client.get("/desk/ingest/failedpayload/add/").status_code == 403
    change = client.get(f"{LIST}{broken.pk}/change/").content.decode()
    assert "Unreadable answers of the last week" in change and "An old failure" not in change


def test_ago_speaks_in_words():
    assert ago(None) == "never"
    assert ago(timezone.now() - timedelta(minutes=12)) == "12 minutes ago"
    assert ago(timezone.now() - timedelta(days=3, hours=5)) == "3 days ago"


def test_an_editor_adds_a_feed(db, make_user, desk_client, make_source):
    outlet = make_source("El País", "https://elpais.com/")
    answer = desk_client(make_user("Editor")).post(f"{LIST}add/", {
        "name": "El País — Internacional", "outlet": outlet.pk, "site": "https://elpais.com/",
        "url": "https://feeds.elpais.com/internacional.xml", "service": "http", "parser": "",
        "language": "es", "country": "ES", "poll_interval": 900, "active": "on",
        "may_quote": "on",
        "failedpayload_set-TOTAL_FORMS": 0, "failedpayload_set-INITIAL_FORMS": 0,
        "failed_payloads-TOTAL_FORMS": 0, "failed_payloads-INITIAL_FORMS": 0,
    })
    assert answer.status_code == 302, answer.content.decode()[:3000]
    added = Feed.objects.get(url="https://feeds.elpais.com/internacional.xml")
    assert added.may_quote and not added.may_republish and added.outlet == outlet


def test_the_ingest_screens_lead_to_the_monitor(db, make_user, desk_client):
    client = desk_client(make_user("Editor"))
    for path in ("/desk/ingest/", LIST):
        assert 'href="/desk/ingest/monitor/"' in client.get(path).content.decode()
