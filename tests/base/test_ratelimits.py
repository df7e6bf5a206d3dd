"""Rate limits count in a store every worker shares, atomically, and fail open when it fails.

Marked `cache`: `make test-redis` runs them again with the counters in a real Redis.
"""

import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.checks import Error
from django.test import override_settings

from dateline.base.checks import rate_limit_store
from dateline.base.counters import DatabaseCounterCache
from dateline.base.ratelimits import RateLimit
from tests import prepared
from tests.live.server import drop_site_database, site_environment

pytestmark = [pytest.mark.django_db, pytest.mark.cache]

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
COUNTERS = {"BACKEND": "dateline.base.counters.DatabaseCounterCache"}


def test_a_limit_refuses_past_its_number_with_the_seconds_left_in_its_window():
    limit = RateLimit("test-window", allowed=2, window=600)
    assert limit.count("a") is None and limit.count("a") is None
    refusal = limit.count("a")
    assert refusal is not None and 1 <= refusal.retry_after <= 600
    with time_machine.travel(timedelta(seconds=refusal.retry_after + 1)):
        assert limit.count("a") is None  # a new window


def test_database_counters_add_once_count_atomically_and_expire():
    counters = DatabaseCounterCache("", {})
    assert counters.add("k", 0, timeout=60) is True
    assert counters.add("k", 5, timeout=60) is False  # already there: unchanged
    assert [counters.incr("k") for _ in range(3)] == [1, 2, 3]
    assert counters.get("k") == 3 and counters.get("missing", "none") == "none"
    with pytest.raises(ValueError):
        counters.incr("missing")
    with pytest.raises(TypeError):
        counters.set("k", "not a number")
    with time_machine.travel(timedelta(seconds=61)):
        assert counters.get("k") is None
        with pytest.raises(ValueError):
            counters.incr("k")
        assert counters.add("k", 1, timeout=60) is True  # the closed window is taken over
        assert counters.get("k") == 1


COUNT_IN_ANOTHER_PROCESS = """
from dateline.base.ratelimits import RateLimit
limit = RateLimit("two-processes", allowed=150, window=3600)
print(sum(limit.count("one partner") is None for _ in range(100)))
"""


def test_two_processes_share_one_count(tmp_path):
    """Two workers of one site, counting at the same time: 150 allowed in all, not each."""
    env = site_environment(tmp_path)
    try:
        prepared.migrate(env)
        workers = [subprocess.Popen([sys.executable, "-m", "dateline", "shell", "-c",
                                     COUNT_IN_ANOTHER_PROCESS], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        results = [worker.communicate(timeout=120) for worker in workers]
    finally:
        drop_site_database(env)
    assert all(worker.returncode == 0 for worker in workers), results
    allowed = [int(out.strip().splitlines()[-1]) for out, _ in results]
    # Per process, each would have let all its 100 through; a racy count lets more than 150.
    assert sum(allowed) == 150, allowed


def test_a_store_that_fails_lets_the_request_through_and_says_so(caplog):
    # Nothing listens on port 1: every command to this Redis fails at once.
    broken = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={**_caches(), "ratelimit": broken}):
        assert RateLimit("test-broken", allowed=0, window=60).count("a") is None
    (said,) = [r for r in caplog.records if "test-broken" in r.getMessage()]
    assert said.getMessage().startswith("rate limit test-broken not counted: its store failed (")
    assert "Connection refused" in said.getMessage()  # the store's own words, in one line
    assert said.exc_info is None


def _caches() -> dict:
    from django.conf import settings

    return dict(settings.CACHES)


@pytest.mark.parametrize(("store", "workers", "refused"), [
    (LOCMEM, 4, True),
    (LOCMEM, 1, False),
    (COUNTERS, 4, False),
    ({"BACKEND": "django.core.cache.backends.dummy.DummyCache"}, 2, True),
])
def test_the_check_refuses_a_per_process_store_when_several_workers_serve(
        store, workers, refused):
    with override_settings(CACHES={**_caches(), "ratelimit": store}, DATELINE_WORKERS=workers):
        errors = rate_limit_store(None)
    assert [error.id for error in errors] == (["dateline_base.E001"] if refused else [])
    assert all(isinstance(error, Error) for error in errors)
    if refused:
        assert f"{workers} times its limit" in errors[0].msg

