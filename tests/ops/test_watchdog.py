"""serve's watchdog kills a server worker that has stopped beating, and only such a one
(dateline/ops/serving/watchdog.py; the whole path through granian: tests/ops/test_serve.py)."""

import os
import subprocess
import sys
import time

import pytest

from dateline.ops.serving.watchdog import Watchdog

pytestmark = pytest.mark.one_engine  # processes and files: no database


@pytest.fixture
def worker():
    """A process of this one's, standing for a granian worker (its parent: granian's main)."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield child
    child.kill()
    child.wait()


def beat(folder, pid: int, seconds_ago: float) -> None:
    path = folder / str(pid)
    path.touch()
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def ended(process: subprocess.Popen) -> bool:
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_a_worker_silent_past_the_limit_is_killed_and_its_beat_forgotten(tmp_path, worker):
    said = []
    beat(tmp_path, worker.pid, seconds_ago=20)
    Watchdog(tmp_path, said.append, frozen_after=15).check({os.getpid()})
    assert ended(worker) and worker.returncode == -9
    assert not (tmp_path / str(worker.pid)).exists()
    assert said == [f"A server worker (pid {worker.pid}) has given no sign of life for 20 s: "
                    "it has frozen. Killing it; granian starts another."]


def test_a_worker_that_beat_lately_is_left_alone(tmp_path, worker):
    said = []
    beat(tmp_path, worker.pid, seconds_ago=10)
    Watchdog(tmp_path, said.append, frozen_after=15).check({os.getpid()})
    assert worker.poll() is None and said == []


def test_only_a_worker_of_the_servers_serve_started_is_ever_killed(tmp_path, worker):
    said = []
    beat(tmp_path, worker.pid, seconds_ago=60)
    # Its parent is not one of serve's granian processes (a pid reused by another program).
    Watchdog(tmp_path, said.append, frozen_after=15).check({os.getpid() + 1_000_000})
    assert worker.poll() is None and said == []


def test_the_beat_of_a_process_that_has_ended_is_forgotten(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    beat(tmp_path, gone.pid, seconds_ago=60)
    (tmp_path / "not-a-pid").touch()
    Watchdog(tmp_path, print, frozen_after=15).check({os.getpid()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-pid"]


def test_after_serve_itself_did_not_run_the_workers_get_time_to_beat(tmp_path, worker):
    """A suspended machine (a laptop's lid closed) wakes with every beat old: serve's first
    looks must not kill every worker, which had not run either."""
    said = []
    watchdog = Watchdog(tmp_path, said.append, frozen_after=15)
    beat(tmp_path, worker.pid, seconds_ago=60)
    watchdog.last_look -= 60  # serve's last look, before the suspend
    watchdog.check({os.getpid()})
    assert worker.poll() is None and said == []
    watchdog.judge_from -= 10  # the grace has passed and it has still not beaten
    watchdog.check({os.getpid()})
    assert ended(worker) and len(said) == 1


def test_the_background_worker_silent_past_its_own_limit_is_killed(tmp_path, worker):
    """serve's own child, the task worker, beats too, and is judged by a longer limit."""
    said = []
    watchdog = Watchdog(tmp_path, said.append, frozen_after=15, background_frozen_after=60)
    beat(tmp_path, worker.pid, seconds_ago=30)
    watchdog.check(set(), {worker.pid})
    assert worker.poll() is None and said == []  # past a page's limit, within its own
    beat(tmp_path, worker.pid, seconds_ago=70)
    watchdog.check(set(), {worker.pid})
    assert ended(worker) and worker.returncode == -9
    assert said == [f"The background worker (pid {worker.pid}) has given no sign of life for "
                    "70 s: it has frozen. Killing it; serve starts it again."]
