"""What each output costs to render again after a change: CPU time, whatever the machine's load.

    cd bench && ../.venv/bin/python freshness_cpu.py [CHANGES]

On the database `make bench-freshness` left (its editor and partner), in one process through
Django's test Client (every middleware, the page cache's included; no network): each output is
asked once so that it is cached, a story is published (or its headline edited) through the
desk's code, and each output is asked again, timed by the thread's CPU clock. Prints the
median per output over CHANGES changes (default 6), and the queries of the last.
"""

import os
import statistics
import sys
import time

import django
from corpus import environment
from freshness import VAR

if __name__ == "__main__":
    os.environ.update(environment(VAR))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from freshness_newsroom import EDITOR, PARTNER, busiest_section, drafts, edit, marker, publish

    from dateline.syndication.models import ApiKey, Partner

    changes = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    editor = get_user_model().objects.get(username=EDITOR)
    key = ApiKey(partner=Partner.objects.get(name=PARTNER), label="freshness_cpu.py",
                 rate_limit=10_000_000)
    token = key.issue_token()
    key.save()
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
    section = busiest_section().path
    cpu: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    try:
        for n, story in enumerate(drafts(editor, (changes + 1) // 2)):
            for kind in ("publish", "edit")[: min(2, changes - 2 * n)]:
                word = story["marker"] if kind == "publish" else marker()
                urls = {"article page": f"/articles/{story['id']}/{story['slug']}/",
                        "home": "/", "section": f"/section/{section}/", "RSS": "/feeds/rss/",
                        "JSON Feed": "/feeds/json/", "search page": f"/search/?q={word}",
                        "/api/search": f"/api/search?q={word}", "ninjs wire": "/api/ninjs/"}
                for url in urls.values():
                    client.get(url)
                if kind == "publish":
                    publish(editor, story["id"])
                else:
                    edit(editor, story["id"], word)
                for name, url in urls.items():
                    with CaptureQueriesContext(connection) as asked:
                        started = time.thread_time()
                        answer = client.get(url)
                        cpu.setdefault(name, []).append((time.thread_time() - started) * 1000)
                    if answer.status_code != 200:
                        raise SystemExit(f"{url} answered {answer.status_code}")
                    queries[name] = len(asked.captured_queries)
    finally:
        key.delete()
    print(f"CPU to render each output again after a change (median of {changes}, ms):")
    for name, times in cpu.items():
        print(f"  {name:<14}{statistics.median(times):>7.1f}  {queries[name]:>3} queries")
    print(f"  {'all outputs':<14}{sum(statistics.median(t) for t in cpu.values()):>7.1f}")
