"""A `dateline` process starts without the libraries that only some of its work uses: every
command, worker and restarted server pays for what its start imports (tests start hundreds)."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.one_engine  # a process of its own, no database

# Each loaded by the first use: the Redis client by the Redis cache or broker, pygal by a
# chart, qrcode by an enrolment's QR code, markdown-it by a reader's report, scikit-learn and
# SciPy by the topic model, datasketch by clustering an ingested item.
LOADED_ON_USE = ("redis", "pygal", "qrcode", "markdown_it", "sklearn", "scipy", "datasketch")
STARTED = """
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("check")  # the plug-in checks every command runs first
print(json.dumps(sorted(m for m in {names!r} if m in sys.modules)))
"""


def test_a_command_starts_without_what_only_some_work_uses(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_REDIS")}
    env.update(DJANGO_SETTINGS_MODULE="dateline.settings.test", DATELINE_VAR_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", STARTED.format(names=LOADED_ON_USE)],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []
