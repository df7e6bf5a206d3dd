"""Production settings: everything that differs between deployments comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set DATELINE_SECRET_KEY to a long random string.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("Set DATELINE_ALLOWED_HOSTS, e.g. news.example.org.")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DATELINE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("DATELINE_HTTPS", "1") == "1"
