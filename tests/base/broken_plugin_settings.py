"""Test settings with one wrong plug-in of each kind, for `check` in a process of its own."""

from dateline.settings.test import *  # noqa: F403

DATELINE_SYNDICATION_FORMATTERS = {"wire": "no.such.module.WireFormatter"}
DATELINE_LIVE_BROKERS = {"local": "dateline.live.brokers.redis.RedisBroker"}
DATELINE_SEARCH_BACKENDS = {"default": {}, "archive": {"BACKEND": "datetime.date"}}
# A service nobody registered (the ingest's were not checked at start), and a part chosen by a
# name no part has (the chosen names were not checked at all).
DATELINE_INGEST_SERVICES = {"ftp": "no.such.module.FTPService"}
DATELINE_INTELLIGENCE_USE = {**DATELINE_INTELLIGENCE_USE, "tagger": "spacy"}  # noqa: F405
