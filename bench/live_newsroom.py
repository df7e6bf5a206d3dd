"""The newsroom side of `make bench-live`: an editor publishing real stories, as the desk does.

Run by `live.py` with the benchmark database's environment:

    python live_newsroom.py prepare              the editor account and the section
    python live_newsroom.py publish K SPACING    K drafts from the corpus, published one by
                                                 one SPACING seconds apart; prints
                                                 {"event id": commit time} as JSON
"""

import itertools
import json
import sys
import time

import django
from corpus import SOURCES

EDITOR = "bench-live-editor"
SECTION = "live-desk"


def corpus_records(count: int, skip: int) -> list[dict]:
    """`count` stories, alternately from each archive, `skip` stories into each."""
    halves = []
    for (source, _), share in zip(SOURCES, (count - count // 2, count // 2), strict=True):
        with source.open(encoding="utf-8") as lines:
            records = (json.loads(line) for line in lines if line.strip())
            halves.append(list(itertools.islice(records, skip, skip + share)))
    return [record for pair in itertools.zip_longest(*halves) for record in pair if record]


def prepare() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dateline.newsroom.models import Section
    from dateline.newsroom.roles import EDITOR as EDITOR_ROLE

    user, _ = get_user_model().objects.get_or_create(username=EDITOR,
                                                      defaults={"is_staff": True})
    user.groups.set([Group.objects.get(name=EDITOR_ROLE)])
    Section.objects.get_or_create(slug=SECTION, parent=None, defaults={"name": "Live desk"})


def publish(count: int, spacing: float) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models.signals import post_save

    from dateline.live.models import LiveEvent
    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.html import paragraphs_to_html
    from dateline.newsroom.models import Article, Section

    editor = get_user_model().objects.get(username=EDITOR)
    section = Section.objects.get(slug=SECTION, parent=None)
    # Stories not yet used, so that every run publishes new ones.
    skip = Article.objects.filter(section=section).count() // 2 % 2000
    drafts = [
        Article.objects.create(headline=record["title"], body=paragraphs_to_html(record["body"]),
                               section=section, created_by=editor)
        for record in corpus_records(count, skip)
    ]
    committed: dict[int, float] = {}

    # Registered while the event row is saved, so before the broker is told: this on-commit
    # hook runs first, the moment the publishing transaction has committed.
    def stamp(sender, instance: LiveEvent, created: bool, **kwargs) -> None:
        if created:
            transaction.on_commit(lambda: committed.setdefault(instance.pk, time.time()))

    post_save.connect(stamp, sender=LiveEvent)
    for article in drafts:
        started = time.monotonic()
        TRANSITIONS["publish"].execute(editor, article)
        time.sleep(max(0.0, spacing - (time.monotonic() - started)))
    print(json.dumps(committed))


if __name__ == "__main__":
    django.setup()
    if sys.argv[1] == "prepare":
        prepare()
    else:
        publish(int(sys.argv[2]), float(sys.argv[3]))
