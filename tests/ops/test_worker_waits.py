"""`dateline worker` waits for a database that is not answering, then works: under `dateline
serve`, a worker that died at each try would be given up on after five deaths, and serve would
stop the whole site with it."""

import signal
import subprocess
import threading
import time

import pytest

from tests.database_away import AwayDatabase, sqlite_environment
from tests.live.server import DATELINE

pytestmark = pytest.mark.one_engine

WAITING = "The database is not answering"


class Output:
    """A child's lines as they come, read on a thread."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, times: int = 1, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while sum(text in line for line in self.lines) < times:
            assert time.monotonic() < deadline, self.lines
            time.sleep(0.1)


def test_the_worker_waits_for_the_database_and_works_once_it_answers(tmp_path):
    database = AwayDatabase(tmp_path)
    worker = subprocess.Popen([*DATELINE, "worker", "--interval", "0.2", "--nice", "0"],
                              env=database.env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    output = Output(worker)
    try:
        output.wait_for(WAITING, times=2)
        assert worker.poll() is None  # still running, waiting
        assert "tries again in 1 s" in output.lines[0]
        assert "unable to open database file" in output.lines[0]
        assert any("tries again in 2 s" in line for line in output.lines)
        # The database comes back: the migrated file where the folder was.
        database.back()
        output.wait_for("The next edition was booked now.")
        assert worker.poll() is None  # working: the queue's loop runs
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        output.thread.join(timeout=5)
    assert not any("Traceback" in line for line in output.lines), output.lines


def test_from_cron_the_worker_says_so_in_one_line_and_fails(tmp_path):
    (tmp_path / "dateline.sqlite3").mkdir()
    done = subprocess.run([*DATELINE, "worker", "--batch", "--nice", "0"],
                          env=sqlite_environment(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "CommandError: The database is not answering: unable to open database file")


def test_the_worker_refuses_a_database_never_migrated(tmp_path):
    """It died on its first query and was started again, in a loop of tracebacks."""
    done = subprocess.run([*DATELINE, "worker", "--batch", "--nice", "0"],
                          env=sqlite_environment(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith(f"CommandError: The SQLite database {tmp_path}/dateline.sqlite3 "
                                  "has no Dateline tables")
    assert "run `dateline migrate` first" in done.stderr and "Traceback" not in done.stderr
