"""The beacon, in front of Django (BeaconFirst) and through Django (runserver's path)."""

import pytest

from dateline.readership import counting
from dateline.readership.beacon import BeaconFirst
from dateline.readership.models import Tally
from dateline.readership.robots import is_robot

from .conftest import BROWSER

pytestmark = pytest.mark.django_db


def held() -> dict:
    return {(kind, key): n for (kind, key, _), n in counting._batch.items()}


class Answered:
    def __call__(self, status, headers):
        self.status, self.headers = status, dict(headers)


def call(path: str, method: str = "POST", **environ) -> tuple[Answered, bytes]:
    def django(environ, start_response):
        start_response("200 OK", [])
        return [b"django"]

    answered = Answered()
    base = {"PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_USER_AGENT": BROWSER,
            "HTTP_SEC_FETCH_SITE": "same-origin"}
    body = b"".join(BeaconFirst(django)({**base, **environ}, answered))
    return answered, body


def test_a_browsers_beacon_is_counted_and_answered_204_before_django():
    answered, body = call("/r/view/42")
    assert answered.status == "204 No Content" and body == b""
    assert answered.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answered.headers
    assert held() == {("view", "42"): 1}


def test_other_paths_go_to_django():
    _, body = call("/articles/42/x/", method="GET")
    assert body == b"django"


@pytest.mark.parametrize(("path", "method", "environ", "status"), [
    ("/r/view/42", "GET", {}, "405"),
    ("/r/click/42", "POST", {}, "404"),  # clicks go through the ads app's redirect
    ("/r/view/0", "POST", {}, "404"),
    ("/r/view/4x2", "POST", {}, "404"),
    ("/r/view/" + "9" * 19, "POST", {}, "404"),
    ("/r/view/42", "POST", {"CONTENT_LENGTH": "100000"}, "413"),
    ("/r/view/42", "POST", {"CONTENT_LENGTH": "lots"}, "413"),
    # A body sent in chunks: the server de-chunks it and gives no length.
    ("/r/view/42", "POST", {"HTTP_TRANSFER_ENCODING": "chunked"}, "413"),
    ("/r/view/42", "POST", {"HTTP_TRANSFER_ENCODING": "gzip, Chunked"}, "413"),
    ("/r/view/42", "POST", {"HTTP_SEC_FETCH_SITE": "cross-site"}, "403"),
])
def test_what_is_not_a_readers_beacon_is_refused_with_a_reason(path, method, environ, status):
    answered, body = call(path, method, **environ)
    assert answered.status.startswith(status) and body
    assert held() == {}


@pytest.mark.parametrize("agent", ["", "Googlebot/2.1 (+http://www.google.com/bot.html)"])
def test_a_robots_beacon_is_answered_like_any_but_not_counted(agent):
    answered, _ = call("/r/view/42", HTTP_USER_AGENT=agent)
    assert answered.status == "204 No Content"
    assert held() == {}


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0.0.0 Safari/537.36",
    "curl/8.5.0", "python-requests/2.32", "SomeNewsBot/1.0", "x" * 600,
])
def test_robots_are_known_by_their_user_agent(agent):
    assert is_robot(agent)


@pytest.mark.parametrize("agent", [
    BROWSER,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 10; Cubot X30) AppleWebKit/537.36 Chrome/120.0 Mobile "
    "Safari/537.36",
])
def test_browsers_are_not_robots(agent):
    assert not is_robot(agent)


def test_the_django_view_counts_the_same_way(client, make_article):
    story = make_article()
    response = client.post(f"/r/view/{story.pk}", headers={"User-Agent": BROWSER})
    assert response.status_code == 204
    assert not response.cookies
    assert client.get(f"/r/view/{story.pk}", headers={"User-Agent": BROWSER}).status_code == 405
    assert client.post(f"/r/view/{story.pk}", headers={"User-Agent": "Googlebot/2.1"}
                       ).status_code == 204  # and not counted
    assert client.post("/r/nonsense/%00", headers={"User-Agent": BROWSER}).status_code == 404
    assert client.post(f"/r/view/{story.pk}", headers={
        "User-Agent": BROWSER, "Transfer-Encoding": "chunked"}).status_code == 413
    counting.flush()
    assert Tally.objects.get(kind="view", key=story.pk).count == 1


def test_one_senders_repeats_of_a_story_count_a_few_times_not_a_thousand(settings):
    settings.DATELINE_READERSHIP_REPEATS = 3
    for _ in range(50):  # a script reloading one story
        answered, _ = call("/r/view/42", REMOTE_ADDR="203.0.113.9")
        assert answered.status == "204 No Content"  # it learns nothing from the answer
    assert held() == {("view", "42"): 3}
    call("/r/view/43", REMOTE_ADDR="203.0.113.9")  # another story of the same reader's
    call("/r/view/42", REMOTE_ADDR="203.0.113.10")  # another reader of the same story
    assert held() == {("view", "42"): 4, ("view", "43"): 1}


def test_an_ipv6_sender_is_its_whole_64_and_a_proxys_reader_the_forwarded_one(settings):
    settings.DATELINE_READERSHIP_REPEATS = 2
    for host in range(1, 6):  # one phone hopping addresses within its /64
        call("/r/view/7", REMOTE_ADDR=f"2001:db8:1:2::{host}")
    assert held() == {("view", "7"): 2}
    settings.DATELINE_BEHIND_PROXY = True
    for reader in range(5):  # five readers, all through the one nginx
        call("/r/view/8", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{reader}")
    assert held()[("view", "8")] == 5


def test_the_allowance_comes_back_after_two_windows_and_holds_no_address(settings):
    from dateline.readership import repeats

    settings.DATELINE_READERSHIP_REPEATS = 1
    for _ in range(3):
        call("/r/view/9", REMOTE_ADDR="192.0.2.1")
    assert held() == {("view", "9"): 1}
    repeats._started -= settings.DATELINE_READERSHIP_REPEAT_SECONDS  # one window on
    call("/r/view/9", REMOTE_ADDR="192.0.2.1")
    assert held() == {("view", "9"): 1}  # the previous window still remembers it
    repeats._started -= settings.DATELINE_READERSHIP_REPEAT_SECONDS  # and a second
    call("/r/view/9", REMOTE_ADDR="192.0.2.1")
    assert held() == {("view", "9"): 2}
    # What is kept is an 8-byte keyed hash and a count: no address, story or kind.
    kept = [*repeats._current, *repeats._previous]
    assert kept and all(len(k) == 8 and b"192.0.2.1" not in k for k in kept)


def test_a_sender_filling_the_table_with_made_up_stories_does_not_escape_its_allowance(
        settings, monkeypatch):
    """Once the table of senders was full, every beacon after counted, unlimited: one sender
    filled it with made-up story ids in seconds (the bound scaled down here)."""
    from dateline.readership import repeats

    settings.DATELINE_READERSHIP_REPEATS = 2
    monkeypatch.setattr(repeats, "MOST_SENDERS", 50)
    for made_up in range(1000, 1060):  # past the bound, in one window
        assert repeats.allowed("192.0.2.1", "view", str(made_up))
    assert len(repeats._current) <= 50 and len(repeats._previous) <= 50
    counted = sum(repeats.allowed("192.0.2.1", "view", "7") for _ in range(50))
    assert counted == 2
    # Only by filling two windows' worth again does the sender get its allowance back.
    for made_up in range(2000, 2060):
        repeats.allowed("192.0.2.1", "view", str(made_up))
    assert sum(repeats.allowed("192.0.2.1", "view", "7") for _ in range(50)) <= 2


def test_no_limit_when_set_to_zero(settings):
    settings.DATELINE_READERSHIP_REPEATS = 0
    for _ in range(20):
        call("/r/view/5", REMOTE_ADDR="192.0.2.1")
    assert held() == {("view", "5"): 20}


def test_a_campaign_in_every_slot_of_a_page_counts_each_impression(settings):
    settings.DATELINE_READERSHIP_REPEATS = 2
    for _ in range(2 * 5):  # two pages, the house ad in each of their five slots
        call("/r/impression/3", REMOTE_ADDR="192.0.2.1")
    call("/r/impression/3", REMOTE_ADDR="192.0.2.1")
    assert held() == {("impression", "3"): 10}
