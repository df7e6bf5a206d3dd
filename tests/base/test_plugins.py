"""The one plug-in loader: names to dotted paths, imported late, duplicates refused."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from dateline.base.plugins import AlreadyRegistered, PluginError, Registry, plugins_import

from .parts import Blue, Part, Red

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[2]
BLUE, RED = "tests.base.parts.Blue", "tests.base.parts.Red"


def test_a_name_leads_to_its_class_and_settings_add_names():
    parts = Registry("part", Part, setting="TEST_PARTS", builtins={"blue": BLUE})
    assert parts.get("blue") is Blue
    assert parts.names() == ["blue"]
    with override_settings(TEST_PARTS={"red": RED}):
        assert parts.get("red") is Red
        assert parts.names() == ["blue", "red"]
    with pytest.raises(PluginError, match=re.escape(
        "No part is named 'red'; choose one of blue or name its class in TEST_PARTS."
    )):
        parts.get("red")


def test_a_class_is_imported_only_when_first_asked_for():
    sys.modules.pop("tests.base.lazy_part", None)
    parts = Registry("part", Part, builtins={"lazy": "tests.base.lazy_part.Lazy"})
    assert parts.names() == ["lazy"] and "tests.base.lazy_part" not in sys.modules
    assert parts.get("lazy").__name__ == "Lazy"
    assert "tests.base.lazy_part" in sys.modules


def test_a_name_taken_twice_is_refused_naming_both_paths():
    parts = Registry("part", Part, setting="TEST_PARTS", builtins={"blue": BLUE})
    parts.register("blue", BLUE)  # the same class again is no conflict
    with pytest.raises(AlreadyRegistered, match=re.escape(
        f"A part named 'blue' is already registered ({BLUE}); give {RED} another name."
    )):
        parts.register("blue", RED)
    with override_settings(TEST_PARTS={"blue": RED}), pytest.raises(AlreadyRegistered):
        parts.get("blue")

    class Impostor(Part):
        name = "blue"

    with pytest.raises(AlreadyRegistered, match="Impostor"):
        parts.register(Impostor)
    assert parts.get("blue") is Blue


def test_a_path_that_does_not_import_or_names_a_stranger_is_refused():
    parts = Registry("part", Part, setting="TEST_PARTS")
    with override_settings(TEST_PARTS={"gone": "tests.base.parts.Gone",
                                       "stranger": "tests.base.parts.Stranger"}):
        with pytest.raises(PluginError, match=re.escape(
            "The part 'gone': cannot import 'tests.base.parts.Gone'"
        )):
            parts.get("gone")
        with pytest.raises(PluginError, match=re.escape(
            "The part 'stranger': 'tests.base.parts.Stranger' is not a Part subclass."
        )):
            parts.get("stranger")
        assert [error.id for error in parts.check()] == ["dateline_base.E002"] * 2


def test_the_system_check_passes_the_project_s_own_plugins():
    assert plugins_import(None) == []


def test_check_at_start_names_each_wrong_plugin_of_every_kind():
    # A process of its own: the check must find every registry at start-up, not only the
    # ones a test happened to import.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.base.broken_plugin_settings"}
    done = subprocess.run([sys.executable, "-m", "django", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "(dateline_base.E002) The formatter 'wire': cannot import " \
           "'no.such.module.WireFormatter'" in done.stderr
    assert "(dateline_base.E003) A live broker named 'local' is already registered " \
           "(dateline.live.brokers.local.LocalBroker); give " \
           "dateline.live.brokers.redis.RedisBroker another name." in done.stderr
    assert "(dateline_base.E002) The search backend 'archive': 'datetime.date' is not a " \
           "BaseSearchBackend subclass." in done.stderr
    assert "(dateline_base.E002) The ingest service 'ftp': cannot import " \
           "'no.such.module.FTPService'" in done.stderr
    assert "(dateline_base.E004) DATELINE_INTELLIGENCE_USE['tagger'] is 'spacy', and no " \
           "intelligence tagger has that name; choose one of gazetteer." in done.stderr
    assert "identified 5 issues" in done.stderr


def test_the_name_a_setting_chooses_must_be_registered():
    from dateline.live.brokers import registry as brokers

    parts = Registry("part", Part, builtins={"blue": BLUE}, chosen_by="TEST_PART")
    with override_settings(TEST_PART="blue"):
        assert parts.check() == []
    with override_settings(TEST_PART="bleu"):
        [error] = parts.check()
        assert (error.id, error.msg) == ("dateline_base.E004", "TEST_PART is 'bleu', and no "
                                         "part has that name; choose one of blue.")
    with override_settings(DATELINE_LIVE_BROKER="nope"):
        assert [error.id for error in brokers.check()] == ["dateline_base.E004"]
