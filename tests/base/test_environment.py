"""Settings from the environment: a value that cannot be used is refused in one line naming
the variable, by the reader functions and by the `dateline` command, never taken as the
default and never a traceback."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.base.environment import (
    clock_time,
    log_level,
    number,
    one_of,
    time_zone,
    whole_number,
)


def test_unset_or_empty_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("DATELINE_X", raising=False)
    assert whole_number("DATELINE_X", 7) == 7
    monkeypatch.setenv("DATELINE_X", " ")
    assert number("DATELINE_X", 0.5) == 0.5
    assert one_of("DATELINE_X", "on", ("on", "off")) == "on"


def test_set_variables_are_read(monkeypatch):
    monkeypatch.setenv("DATELINE_X", " 12 ")
    assert whole_number("DATELINE_X", 7) == 12
    assert number("DATELINE_X", 0.5) == 12.0
    monkeypatch.setenv("DATELINE_X", "off")
    assert one_of("DATELINE_X", "on", ("on", "off")) == "off"


def test_times_zones_and_levels_are_read(monkeypatch):
    monkeypatch.setenv("DATELINE_X", "6:30")
    assert clock_time("DATELINE_X", "07:00") == "06:30"
    monkeypatch.setenv("DATELINE_X", "America/New_York")
    assert time_zone("DATELINE_X", "UTC") == "America/New_York"
    monkeypatch.setenv("DATELINE_X", "debug")
    assert log_level("DATELINE_X", "INFO") == "DEBUG"
    monkeypatch.setenv("DATELINE_X", "warn")  # the logging module's other names too
    assert log_level("DATELINE_X", "INFO") == "WARN"


@pytest.mark.parametrize(("value", "reader", "message"), [
    ("two", lambda: whole_number("DATELINE_X", 1), "DATELINE_X must be a whole number, not 'two'"),
    ("1.5", lambda: whole_number("DATELINE_X", 1), "DATELINE_X must be a whole number, not '1.5'"),
    ("0", lambda: whole_number("DATELINE_X", 1, least=1), "DATELINE_X must be 1 or more, not 0"),
    ("abc", lambda: number("DATELINE_X", 1.0), "DATELINE_X must be a number, not 'abc'"),
    ("nan", lambda: number("DATELINE_X", 1.0), "DATELINE_X must be a finite number"),
    ("-1", lambda: number("DATELINE_X", 1.0, least=0), "DATELINE_X must be 0 or more, not -1"),
    ("postgres", lambda: one_of("DATELINE_X", "sqlite", ("sqlite", "postgresql")),
     "DATELINE_X must be 'sqlite' or 'postgresql', not 'postgres'"),
    ("Mars/Base", lambda: time_zone("DATELINE_X", "UTC"), "must be a time zone such as"),
    ("25:99", lambda: clock_time("DATELINE_X", "07:00"), "must be a time of day such as '07:00'"),
    ("7", lambda: clock_time("DATELINE_X", "07:00"), "must be a time of day such as '07:00'"),
    ("LOUD", lambda: log_level("DATELINE_X", "INFO"), "must be one of DEBUG, INFO, WARNING"),
])
def test_values_that_cannot_be_used_are_refused_by_name(monkeypatch, value, reader, message):
    monkeypatch.setenv("DATELINE_X", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        reader()


def run_dateline(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # the command's own default (dev)
    return subprocess.run([sys.executable, "-m", "dateline", *args], capture_output=True,
                          text=True, timeout=120, env={**environment, **env})


@pytest.mark.parametrize(("env", "args", "line"), [
    # A misspelt engine used to run the site on a fresh SQLite file, without a word.
    ({"DATELINE_DB_ENGINE": "postgres"}, ("check",),
     "dateline: DATELINE_DB_ENGINE must be 'sqlite' or 'postgresql', not 'postgres'."),
    ({"DATELINE_WORKERS": "two"}, ("check",),
     "dateline: DATELINE_WORKERS must be a whole number, not 'two'."),
    ({"DATELINE_PAGE_CACHE": "of"}, ("check",),
     "dateline: DATELINE_PAGE_CACHE must be 'on' or 'off', not 'of'."),
    # Each ended in a traceback from Django or logging; the edition's time in a 500 later.
    ({"DATELINE_TIME_ZONE": "Mars/Base"}, ("check",),
     "dateline: DATELINE_TIME_ZONE must be a time zone such as 'Europe/Sofia', not 'Mars/Base'."),
    ({"DATELINE_EDITION_TIME": "25:99"}, ("check",),
     "dateline: DATELINE_EDITION_TIME must be a time of day such as '07:00', not '25:99'."),
    ({"DATELINE_SQLITE_MMAP_MB": "-1"}, ("check",),
     "dateline: DATELINE_SQLITE_MMAP_MB must be 0 or more, not -1."),
    # Read by serve's options, after the settings: even its --help failed with a traceback.
    ({"PORT": "abc"}, ("serve", "--help"), "dateline: PORT must be a whole number, not 'abc'."),
])
def test_the_command_names_the_variable_in_one_line(tmp_path, env, args, line):
    done = run_dateline(*args, DATELINE_VAR_DIR=str(tmp_path), **env)
    assert done.returncode == 2
    assert done.stderr.strip() == line
    assert "Traceback" not in done.stdout + done.stderr


def test_a_var_folder_or_key_file_that_cannot_serve_is_named_in_one_line(tmp_path):
    """Each was a Python traceback of 40 to 106 lines (FileNotFoundError, FileExistsError,
    IsADirectoryError, UnicodeDecodeError, Django's "SECRET_KEY must not be empty")."""
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    done = run_dateline("check", DATELINE_VAR_DIR=str(a_file))
    assert done.stderr.strip() == (f"dateline: DATELINE_VAR_DIR names {a_file}, a file: it "
                                   "must be a folder (made if missing).")
    done = run_dateline("check", DATELINE_VAR_DIR="/proc/none")
    assert done.stderr.strip().startswith("dateline: Cannot keep the secret key in "
                                          "/proc/none/secret-key: No such file or directory")
    for broken in (b"", b"\xff\xfe", None):
        key = tmp_path / "var" / "secret-key"
        key.parent.mkdir(exist_ok=True)
        if key.is_dir():
            key.rmdir()
        elif key.exists():
            key.unlink()
        if broken is None:
            key.mkdir()
        else:
            key.write_bytes(broken)
        done = run_dateline("check", DATELINE_VAR_DIR=str(key.parent))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert done.stderr.startswith("dateline: ") and str(key) in done.stderr


def test_the_commands_help_names_the_dateline_command(tmp_path):
    """`python -m dateline` used to say "Type 'python -m django help <subcommand>'", which
    knows none of Dateline's commands."""
    done = run_dateline("help", "serve", DATELINE_VAR_DIR=str(tmp_path))
    assert done.returncode == 0
    assert done.stdout.startswith("usage: python -m dateline serve ")
    listing = run_dateline("--help", DATELINE_VAR_DIR=str(tmp_path)).stdout
    assert "Type 'python -m dateline help <subcommand>'" in listing


def test_the_command_still_takes_its_settings_from_the_settings_option(tmp_path):
    """Reading the settings before Django read --settings loaded the default ones: a
    `migrate --settings=...prod` would have migrated the checkout's SQLite file instead."""
    done = run_dateline("shell", "--settings=dateline.settings.test", "-c",
                        "from django.conf import settings; print(settings.SETTINGS_MODULE)",
                        DATELINE_VAR_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "dateline.settings.test"
