"""The newsroom's side of tests/db/test_replica.py, run with its production settings.

    python replica_desk.py setup      migrate; an editor, a section, a published story and
                                      three drafts; prints their pages' paths as JSON
    python replica_desk.py desk SITE  then one command a line on stdin, one JSON answer a line:
        publish PK [WAIT_MS]          publish story PK through the desk's own action (waiting
                                      WAIT_MS at most for the replicas), then fetch its
                                      section's page from SITE at once: {"shown": ...}
"""

import json
import sys
import urllib.request

import django

EDITOR = "replica-editor"


def setup() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from dateline.newsroom.models import Article, Section
    from dateline.newsroom.roles import EDITOR as EDITOR_ROLE

    call_command("migrate", interactive=False, verbosity=0)
    editor = get_user_model().objects.create(username=EDITOR, is_staff=True)
    editor.groups.set([Group.objects.get(name=EDITOR_ROLE)])
    section = Section.objects.create(name="Harbours")
    body = "<p>The harbour opened at dawn. Ships queued outside the breakwater.</p>"
    published = Article.objects.create(
        headline="Harbour reopens after the storm", body=body, section=section,
        status=Article.Status.PUBLISHED, published_at=timezone.now(), created_by=editor)
    drafts = [Article.objects.create(headline=headline, body=body, section=section,
                                     created_by=editor)
              for headline in ("Ferry timetable restored", "Pilots return to the harbour",
                               "Crane repairs begin at the quay")]
    print(json.dumps({"section": section.get_absolute_url(),
                      "published": [published.pk, published.get_absolute_url()],
                      "drafts": [[d.pk, d.headline] for d in drafts]}))


def desk(site: str) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import close_old_connections

    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.models import Article

    wait = settings.DATELINE_DB_REPLICA_WAIT_MS
    for line in sys.stdin:
        # Each command is one unit of work, as a request is to the web server: connections
        # that broke meanwhile are found and dropped first.
        close_old_connections()
        _, pk, *wait_ms = line.split()
        settings.DATELINE_DB_REPLICA_WAIT_MS = int(wait_ms[0]) if wait_ms else wait
        editor = get_user_model().objects.get(username=EDITOR)
        article = Article.objects.get(pk=int(pk))
        TRANSITIONS["publish"].execute(editor, article)
        # The moment the desk has published, a reader asks for the section's page.
        url = site + article.section.get_absolute_url()
        with urllib.request.urlopen(url, timeout=30) as page:
            shown = article.headline in page.read().decode()
        print(json.dumps({"shown": shown}), flush=True)


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "setup":
        setup()
    else:
        desk(sys.argv[2])
