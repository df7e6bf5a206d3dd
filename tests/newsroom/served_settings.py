"""`dateline serve` for journey (a): the demo settings, with static files served from the apps'
folders as they are. collectstatic (17 s of compressing and hashing) is what a deployment
checks; this journey checks the desk and the live stream."""

from dateline.settings.dev import *  # noqa: F403
from dateline.settings.dev import STORAGES

STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
