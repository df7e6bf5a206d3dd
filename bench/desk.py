"""`make bench-desk`: the desk pages an editor opens all day, timed on the 100k-story database.

Reuses `var/bench/` (built by `make bench`, or here the same way if absent), migrated to the
code. A child process with the database's settings logs in as an editor through Django's test
Client (the whole middleware stack, no network) and times each page: a warm-up, then N requests,
median and p95 of wall time, and median CPU time. A target is met when the median is under
150 ms. `/healthz` through the same Client is the reference measured in the same run.
"""

import json
import os
import statistics
import subprocess
import sys
import time

from corpus import ROOT, build, environment

VAR = ROOT / "var" / "bench"
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
WARM_UP = 3
TARGET_MS = 150.0
# Stories on the desk beside the published archive: drafts and stories in review, as a newsroom
# has in a day. Added once, recognised by their external id.
DESK_STORIES = 300
MARK = "bench-desk-"


def seed():
    """The bench's editor and reporter, and their drafts and stories in review."""
    from django.contrib.auth.models import Group, User

    from dateline.newsroom.models import Article, Section
    from dateline.newsroom.roles import EDITOR, REPORTER

    people = {}
    for name, role in (("bench-editor", EDITOR), ("bench-reporter", REPORTER)):
        user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=role))
        people[role] = user
    if not Article.objects.filter(external_id__startswith=MARK).exists():
        sections = list(Section.objects.all()[:10])
        stories = []
        for i in range(DESK_STORIES):
            story = Article(
                headline=f"Desk story {i}: council budget talks", body="<p>Draft text.</p>",
                section=sections[i % len(sections)], external_id=f"{MARK}{i}",
                status=Article.Status.DRAFT if i % 3 else Article.Status.REVIEW,
                created_by=people[EDITOR] if i % 2 else people[REPORTER],
            )
            story.prepare_for_save()
            stories.append(story)
        Article.objects.bulk_create(stories, batch_size=500)
    return people[EDITOR], people[REPORTER]


def pages() -> dict[str, str]:
    from django.db.models import Count

    from dateline.newsroom.models import Article, Section

    story = Article.objects.filter(status="published").order_by("-published_at").first()
    # The busiest section: its stories are sorted by last change, the costliest filter.
    section = Section.objects.annotate(stories=Count("articles")).order_by("-stories").first()
    lst = "/desk/newsroom/article/"
    return {
        "list": lst,
        "list-review": f"{lst}?status__exact=review",
        "list-section": f"{lst}?section__id__exact={section.pk}",
        "list-search": f"{lst}?q=oil+prices",
        "list-page-50": f"{lst}?p=50",
        "list-mine": f"{lst}?whose=mine",
        "change-form": f"{lst}{story.pk}/change/",
        "add-form": f"{lst}add/",
        "sections": "/desk/newsroom/section/",
    }


def timed(client, url: str) -> list[float]:
    for _ in range(WARM_UP):
        client.get(url)
    times = []
    for _ in range(REPEAT):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        # Wall time, and CPU time: on a shared machine the second says what the page costs.
        times.append(((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000))
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return times


def measure() -> None:
    """Run in a child process with the database's environment; print timings as JSON."""
    import django

    django.setup()
    from django.test import Client

    editor, reporter = seed()
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    results = {"reference /healthz": timed(client, "/healthz")}
    for name, url in pages().items():
        results[name] = timed(client, url)
    # A reporter's list holds only their own stories: a filter over the whole archive.
    client.force_login(reporter)
    results["list-reporter"] = timed(client, "/desk/newsroom/article/")
    print(json.dumps(results))


def report(results: dict[str, list[list[float]]]) -> None:
    reference = statistics.median(wall for wall, _ in results.pop("reference /healthz"))
    print(f"\nDesk pages on {VAR.name} (100k stories), test Client in one process, "
          f"{REPEAT} requests each after {WARM_UP} warm-up; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'page':<16}{'p50 ms':>9}{'p95 ms':>9}{'CPU p50':>9}{'x /healthz':>12}")
    print(f"{'/healthz':<16}{reference:>9.2f}{'':>18}{1:>12.1f}")
    medians = {}
    for name, times in results.items():
        walls = [wall for wall, _ in times]
        medians[name] = statistics.median(walls)
        p95 = statistics.quantiles(walls, n=20)[-1]
        cpu = statistics.median(cpu for _, cpu in times)
        print(f"{name:<16}{medians[name]:>9.2f}{p95:>9.2f}{cpu:>9.2f}"
              f"{medians[name] / reference:>12.1f}")
    for name, median in medians.items():
        verdict = "met" if median < TARGET_MS else "NOT met"
        print(f"target desk-{name}: {median:.1f} ms (target < {TARGET_MS:.0f} ms): {verdict}")


def main() -> None:
    build(VAR, int(os.environ.get("BENCH_ARTICLES", "100000")))
    env = environment(VAR)
    dateline = [sys.executable, "-m", "dateline"]
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*dateline, *command], env=env, check=True)
    out = subprocess.run([sys.executable, __file__, "--measure"], env=env, check=True,
                         capture_output=True, text=True).stdout
    report(json.loads(out.strip().splitlines()[-1]))


if __name__ == "__main__":
    measure() if "--measure" in sys.argv else main()
