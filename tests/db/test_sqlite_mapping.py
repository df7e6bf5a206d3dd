"""SQLite reads its pages through a memory mapping of the file (DATELINE_SQLITE_MMAP_MB), shared
by every connection and process, instead of each connection's small page cache."""

import os
import subprocess
import sys

import pytest
from django.db import connection

SHOW_MAPPING = (
    "import django; django.setup()\n"
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    cursor.execute('PRAGMA mmap_size')\n"
    "    print(cursor.fetchone()[0])\n"
)


def mapping_of_a_process(tmp_path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    environment.update(DJANGO_SETTINGS_MODULE="dateline.settings.dev",
                       DATELINE_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", SHOW_MAPPING], capture_output=True, text=True,
                          timeout=120, env=environment)


@pytest.mark.django_db
def test_the_site_s_connections_read_through_a_gigabyte_mapping():
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        assert cursor.fetchone()[0] == 1024 * 1024 * 1024


@pytest.mark.parametrize(("megabytes", "mapped"), [("0", 0), ("64", 64 * 1024 * 1024)])
def test_the_mapping_is_the_operator_s_to_size_or_turn_off(tmp_path, megabytes, mapped):
    done = mapping_of_a_process(tmp_path, DATELINE_SQLITE_MMAP_MB=megabytes)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) == mapped
