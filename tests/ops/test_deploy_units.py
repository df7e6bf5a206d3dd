"""The systemd units in deploy/ book the morning edition: their own commands, run for real."""

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from tests import prepared
from tests.live.server import drop_site_database, site_environment

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def exec_starts() -> dict[str, list[str]]:
    """Each unit's ExecStart, split as systemd splits it (quotes, no shell)."""
    commands = {}
    for unit in sorted(DEPLOY.glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                commands[unit.name] = shlex.split(line.removeprefix("ExecStart="))
    return commands


def parsed(argv: list[str]):
    """The management command an ExecStart runs, and its options as that command parses them."""
    assert argv[0].endswith("/.venv/bin/dateline"), argv  # the console script: dateline.cli
    name, *args = argv[1:]
    command = load_command_class(get_commands()[name], name)
    return command, vars(command.create_parser("dateline", name).parse_args(args))


def test_every_unit_runs_a_real_command_and_only_the_worker_books_the_edition():
    from dateline.ops.management.commands.serve import Command as Serve
    from dateline.ops.management.commands.worker import Command as Worker

    units = {unit: parsed(argv) for unit, argv in exec_starts().items()}
    assert set(units) == {"dateline-web.service", "dateline-worker.service"}
    web, web_options = units["dateline-web.service"]
    assert isinstance(web, Serve) and web_options["no_worker"]  # no worker, no booking there
    assert isinstance(units["dateline-worker.service"][0], Worker)


def read_until(process: subprocess.Popen, wanted: str, timeout: float) -> str:
    """What the process printed, up to the first line that contains `wanted`."""
    seen: list[str] = []

    def read() -> None:
        for line in process.stdout:
            seen.append(line)
            if wanted in line:
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    output = "".join(seen)
    assert wanted in output, output
    return output


@pytest.fixture
def own_site(tmp_path):
    env = site_environment(tmp_path)
    yield env
    drop_site_database(env)


@pytest.mark.django_db(transaction=True)
def test_three_workers_started_from_the_unit_at_once_book_one_morning_run(own_site):
    env = own_site
    prepared.migrate(env)
    argv = exec_starts()["dateline-worker.service"]
    workers = [subprocess.Popen([sys.executable, "-m", "dateline", *argv[1:]], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for _ in range(3)]
    try:
        # Booked first, then the task worker starts (and from then on stops cleanly on TERM).
        said = [read_until(worker, "Starting worker", timeout=60) for worker in workers]
        # Each runs below the web server's CPU priority: readers and the desk go first.
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert [os.getpriority(os.PRIO_PROCESS, w.pid) for w in workers] == [ours + 10] * 3
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]
        # What each printed after its start line (a traceback, should one not stop cleanly).
        after = [worker.stdout.read() for worker in workers]
    assert sum("booked now" in output for output in said) == 1, said
    assert codes == [0, 0, 0], "\n\n".join(  # each worker's whole output, not a cut repr
        f"worker {n}, exit {code}:\n{before}{rest}"
        for n, (code, before, rest) in enumerate(zip(codes, said, after, strict=True)))
    done = subprocess.run([sys.executable, "-m", "dateline", "shell", "-c", (
        "import json\n"
        "from django.tasks import TaskResultStatus\n"
        "from django_tasks_db.models import DBTaskResult\n"
        "from dateline.edition.assembly import goes_out_at, next_edition_date\n"
        "from dateline.edition.tasks import publish_edition\n"
        "day = next_edition_date()\n"
        "runs = DBTaskResult.objects.filter(task_path=publish_edition.module_path,\n"
        "                                   status=TaskResultStatus.READY)\n"
        "print(json.dumps({'runs': [r.args_kwargs['args'] for r in runs],\n"
        "                  'at': [r.run_after == goes_out_at(day) for r in runs],\n"
        "                  'day': day.isoformat()}))\n")], env=env, capture_output=True,
        text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    booked = json.loads(done.stdout.strip().splitlines()[-1])
    assert booked["runs"] == [[booked["day"]]] and booked["at"] == [True]
