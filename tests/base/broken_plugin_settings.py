"""Test settings with one wrong plug-in of each kind, for `check` in a process of its own."""

from dateline.settings.test import *  # noqa: F403

DATELINE_SYNDICATION_FORMATTERS = {"wire": "no.such.module.WireFormatter"}
DATELINE_LIVE_BROKERS = {"local": "dateline.live.brokers.redis.RedisBroker"}
DATELINE_SEARCH_BACKENDS = {"default": {}, "archive": {"BACKEND": "datetime.date"}}
