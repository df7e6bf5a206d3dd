"""The desk side of `make bench-freshness`: an editor publishing and editing real stories.

Run by `freshness.py` with the benchmark database's environment:

    python freshness_newsroom.py prepare     the editor, the partner's API key (printed as
                                             JSON with the section the stories go to)
    python freshness_newsroom.py desk        reads one JSON command a line on stdin, answers
                                             one JSON line each:
        {"do": "drafts", "count": N}                  N drafts from the corpus, each headline
                                                      ending in a word found nowhere else
        {"do": "publish", "id": ID}                   the desk's publish action
        {"do": "edit", "id": ID, "marker": WORD}      the desk's save of a new headline
    Publishing and editing answer {"committed": epoch seconds at the commit, "hooks_done":
    when the hooks run on commit had run}.
"""

import json
import secrets
import string
import sys
import time

import django
from live_newsroom import corpus_records

EDITOR = "bench-freshness-editor"
PARTNER = "Freshness bench"


def marker() -> str:
    """A word no story has: the outputs are searched for it (letters only, as search reads)."""
    return "zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


def busiest_section():
    """Stories go where most do, so the section page is as costly as a real one."""
    from django.db.models import Count

    from dateline.newsroom.models import Section

    return Section.objects.annotate(stories=Count("articles")).order_by("-stories").first()


def prepare() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from dateline.newsroom.models import Section
    from dateline.newsroom.roles import EDITOR as EDITOR_ROLE
    from dateline.syndication.models import ApiKey, Partner

    user, _ = get_user_model().objects.get_or_create(username=EDITOR,
                                                      defaults={"is_staff": True})
    user.groups.set([Group.objects.get(name=EDITOR_ROLE)])
    section = busiest_section() or Section.objects.create(slug="freshness", name="Freshness")
    partner, _ = Partner.objects.get_or_create(
        name=PARTNER, defaults={"contact_email": "bench@example.org"})
    partner.api_keys.all().delete()
    # The wire's per-key limit (120 a minute by default) would refuse a poll every 5 ms.
    key = ApiKey(partner=partner, label="make bench-freshness", rate_limit=10_000_000)
    token = key.issue_token()
    key.save()
    print(json.dumps({"token": token, "section": section.path}))


def committed_at(work) -> dict:
    """Run work in a transaction: when it committed, and when the hooks run on commit (cache
    invalidation, the live broker, the worker's tasks) were done.

    The stamp is the transaction's first on-commit hook, so it runs right after the commit
    and before any hook of the code under test.
    """
    from django.db import transaction

    stamp: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: stamp.append(time.time()))
        work()
    return {"committed": stamp[0], "hooks_done": time.time()}


def drafts(editor, count: int) -> list[dict]:
    from dateline.newsroom.html import paragraphs_to_html
    from dateline.newsroom.models import Article

    section = busiest_section()
    made = []
    # Stories not used by earlier runs, so that every run publishes new ones.
    skip = Article.objects.filter(created_by=editor).count() % 2000
    for record in corpus_records(count, skip):
        word = marker()
        article = Article.objects.create(
            headline=f"{record['title'][:200]} {word}", body=paragraphs_to_html(record["body"]),
            section=section, created_by=editor)
        made.append({"id": article.pk, "slug": article.slug, "marker": word})
    return made


def publish(editor, pk: int) -> dict:
    from dateline.newsroom.actions import TRANSITIONS
    from dateline.newsroom.models import Article

    article = Article.objects.get(pk=pk)
    return committed_at(lambda: TRANSITIONS["publish"].execute(editor, article))


def edit(editor, pk: int, word: str) -> dict:
    """What the desk's form does on Save (desk/article_admin.py save_model, save_related)."""
    from dateline.newsroom.actions.save import announce_saved, claim_version, record_revision
    from dateline.newsroom.models import Article, Revision

    article = Article.objects.get(pk=pk)  # the version the editor opened
    opened = article.version
    article.headline = f"{article.headline.rsplit(' ', 1)[0]} {word}"

    def save() -> None:
        if not claim_version(article, opened):
            raise SystemExit(f"story {pk} changed under the benchmark")
        article.save()
        record_revision(article, editor, Revision.Kind.SAVE)
        announce_saved(article)

    return committed_at(save)


def desk() -> None:
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username=EDITOR)
    for line in sys.stdin:
        order = json.loads(line)
        if order["do"] == "drafts":
            answer: object = drafts(editor, order["count"])
        elif order["do"] == "publish":
            answer = publish(editor, order["id"])
        else:
            answer = edit(editor, order["id"], order["marker"])
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    django.setup()
    {"prepare": prepare, "desk": desk}[sys.argv[1]]()
