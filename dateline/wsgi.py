"""WSGI entry point for granian (`dateline serve`) or any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

from dateline.base.heads import ReadableHeads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
django_application = ReadableHeads(get_wsgi_application())

from dateline.pagecache.wsgi import CachedPagesApplication  # noqa: E402 - needs settings

# Readers' cache hits are answered here, before Django's middleware and URL resolver.
application = CachedPagesApplication(django_application)
