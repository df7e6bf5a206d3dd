"""The Redis cache fails fast while Redis does not answer, and says so once
(dateline.base.sharedcache)."""

import logging
import socket

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dateline.base import sharedcache
from dateline.base.cachefailure import log_failure
from dateline.base.sharedcache import CacheAway, RedisCache
from tests.silent_server import SilentPort, before_the_test_redis

FAST = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def cache_at(url: str, prefix: str = "t") -> RedisCache:
    return RedisCache(url, {"OPTIONS": FAST, "KEY_PREFIX": prefix})


@pytest.fixture
def silent():
    port = SilentPort()
    yield port
    port.close()


def outage_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "dateline.base.sharedcache"]


def test_after_redis_fails_to_answer_it_is_not_asked_again_for_a_while(
        silent, monkeypatch, caplog):
    monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 60)
    pages, counters = cache_at(silent.url, "pages"), cache_at(silent.url, "ratelimit")
    with pytest.raises(RedisTimeoutError):
        pages.get("story:1")
    asked = silent.connections
    assert asked >= 1
    # Every operation of every alias on that Redis now fails at once, without a connection.
    for operation in (lambda: pages.get("x"), lambda: pages.set("x", 1),
                      lambda: pages.get_many(["x", "y"]), lambda: pages.set_many({"x": 1}),
                      lambda: pages.add("x", 1), lambda: pages.delete("x"),
                      lambda: counters.incr("x"), lambda: counters.get_or_set("x", 1),
                      lambda: counters.has_key("x"), lambda: counters.touch("x")):
        with pytest.raises(CacheAway, match="not asked again yet"):
            operation()
    assert silent.connections == asked
    (said,) = outage_lines(caplog)
    assert said.levelname == "ERROR" and said.exc_info is None
    assert said.getMessage().startswith("shared cache not answering (Timeout")
    assert "asked again every 60 s" in said.getMessage()


def test_a_redis_that_refuses_is_held_away_as_well(monkeypatch, caplog):
    monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 60)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        cache = cache_at(f"redis://127.0.0.1:{probe.getsockname()[1]}/0")
        with pytest.raises(RedisConnectionError) as first:
            cache.get("x")
    assert not isinstance(first.value, CacheAway)
    with pytest.raises(CacheAway):
        cache.set("x", 1)
    (said,) = outage_lines(caplog)
    assert "Connection refused" in said.getMessage()


@pytest.mark.cache
@pytest.mark.django_db  # the page cache then renews the stories saved meanwhile
def test_a_redis_that_answers_again_is_asked_again_and_said_so(monkeypatch, caplog):
    port = before_the_test_redis()
    port.answering = False
    try:
        monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 0)  # asked again at the next call
        cache = cache_at(port.url)
        with pytest.raises(RedisTimeoutError):
            cache.set("story", "kept")
        port.answering = True
        cache.set("story", "kept")
        assert cache.get("story") == "kept"
    finally:
        port.close()
    started, ended = outage_lines(caplog)
    assert started.levelname == "ERROR" and "not answering" in started.getMessage()
    assert ended.levelname == "WARNING"
    assert ended.getMessage().startswith("shared cache answering again, after ")


def test_a_miss_while_redis_is_away_is_a_quiet_line_and_any_other_failure_a_traceback(caplog):
    log = logging.getLogger("tests.sharedcache")
    caplog.set_level(logging.DEBUG, logger="tests.sharedcache")
    try:
        raise CacheAway("the shared cache has not answered for 3 s; not asked again yet")
    except CacheAway:
        log_failure(log, "not reading %s", "story:1")
    try:
        raise ValueError("a value no cache could pickle")
    except ValueError:
        log_failure(log, "not storing %s", "story:1")
    away, broken = [r for r in caplog.records if r.name == "tests.sharedcache"]
    assert away.levelname == "DEBUG" and away.exc_info is None
    assert away.getMessage() == ("not reading story:1 (the shared cache has not answered for "
                                 "3 s; not asked again yet)")
    assert broken.levelname == "WARNING" and broken.exc_info is not None
