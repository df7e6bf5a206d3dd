"""axe-core on every desk screen, in real headless Chromium: no WCAG 2 A/AA violation.

One browser and one newsroom for all the screens; a failure names each screen and its rules.
The newsroom is small but has what each screen shows when it is busy: drafts, an embargoed
story, tags, sources, revisions, an audit log, an edition, a reader's report.
"""

import re
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.edition.assembly import build_edition
from dateline.live.models import LiveEntry
from dateline.newsroom.actions import TRANSITIONS, release_due_articles
from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article, Tag
from dateline.submissions.models import Submission
from dateline.syndication.models import ApiKey, Partner

from ..site.test_browser import AXE
from ..site.test_browser import axe_violations as violations_of
from .journeys import logged_in_page

# The desk's screens read by axe: nothing here contends for a row, so not marked desk (its
# contended saves run on PostgreSQL's suite); this runs with the other Chromium tests on SQLite's.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTICLE = "/desk/newsroom/article/"

# (screen, who looks at it, path; {story}, {user}, {edition}, {report} filled in)
SCREENS = [
    ("login", None, "/desk/login/?next=/desk/"),
    ("index", "chief", "/desk/"),
    ("article list", "chief", ARTICLE),
    ("article list, reporter", "reporter", ARTICLE),
    ("article change form", "chief", ARTICLE + "{story}/change/"),
    ("a story in review", "chief", ARTICLE + "{review}/change/"),
    ("add article", "chief", ARTICLE + "add/"),
    ("revisions", "chief", ARTICLE + "{story}/revisions/"),
    ("article audit log", "chief", ARTICLE + "{story}/log/"),
    ("preview link", "chief", ARTICLE + "{story}/preview-link/"),
    ("sections", "chief", "/desk/newsroom/section/"),
    ("add section", "chief", "/desk/newsroom/section/add/"),
    ("users", "chief", "/desk/auth/user/"),
    ("change user", "chief", "/desk/auth/user/{user}/change/"),
    ("partners", "chief", "/desk/syndication/partner/"),
    ("add partner", "chief", "/desk/syndication/partner/add/"),
    ("API keys", "chief", "/desk/syndication/apikey/"),
    ("add API key", "chief", "/desk/syndication/apikey/add/"),
    ("site-wide audit log", "chief", "/desk/newsroom/auditentry/"),
    ("live coverage", "chief", "/desk/live/{story}/coverage/"),
    ("editions", "chief", "/desk/edition/edition/"),
    ("change edition", "chief", "/desk/edition/edition/{edition}/change/"),
    ("reader reports", "chief", "/desk/submissions/submission/"),
    ("reader report", "chief", "/desk/submissions/submission/{report}/change/"),
    ("password change", "chief", "/desk/password_change/"),
    # The rest of the desk's screens, each app's (the front page links to them).
    ("readership", "chief", "/desk/readership/"),
    ("tags", "chief", "/desk/newsroom/tag/"),
    ("authors", "chief", "/desk/newsroom/author/"),
    ("sources", "chief", "/desk/newsroom/source/"),
    ("feeds", "chief", "/desk/ingest/feed/"),
    ("watched terms", "chief", "/desk/ingest/watchedterm/"),
    ("outlets' items", "chief", "/desk/ingest/item/"),
    ("tag suggestions", "chief", "/desk/intelligence/tagsuggestion/"),
    ("related stories", "chief", "/desk/intelligence/relatedstory/"),
    ("story topics", "chief", "/desk/intelligence/storytopic/"),
    ("campaigns", "chief", "/desk/ads/campaign/"),
    ("placements", "chief", "/desk/ads/placement/"),
    ("two-factor", "chief", "/desk/two-factor/"),
]

# What scripts build after the page has loaded, waited for so that axe sees it too.
BUILT = {
    "article change form": ".ProseMirror[contenteditable=true], .select2-container",
    "a story in review": ".ProseMirror[contenteditable=true], .select2-container",
    "add article": ".ProseMirror[contenteditable=true], .select2-container",
    "add section": ".select2-container",
    "change user": ".selector-filter .help-tooltip",
}


@pytest.fixture
def newsroom(make_user, make_section, make_article, make_tag, make_source, make_author):
    """The chief editor, a reporter and a newsroom with a little of everything."""
    chief, reporter = make_user("Chief editor", "chief"), make_user("Reporter", "rita")
    world = make_section("World", position=1)
    make_section("Russia", parent=world)
    day = timezone.localdate() - timedelta(days=1)
    story = make_article(
        "Kremlin agrees to new talks", section=world, authors=[make_author("Ivan Petrov")],
        tags=[make_tag("Moscow", Tag.Kind.PLACE), make_tag("Diplomacy")],
        sources=[make_source("Le Monde", "https://www.lemonde.fr/")],
        standfirst="Both sides meet in Geneva next week.", age=timedelta(hours=20),
    )
    record_revision(story, chief)
    TRANSITIONS["unpublish"].execute(chief, story, note="Checking a quote.")
    TRANSITIONS["publish"].execute(chief, story)
    LiveEntry.objects.create(article=story, body="<p>Delegations arrive.</p>")
    for n in range(3):
        make_article(f"Draft number {n}", section=world, status=Article.Status.DRAFT,
                     published_at=None)
    # Every state a story's badge shows in the list and on its page, so each colour is audited.
    review = make_article("Filed for review", section=world, status=Article.Status.REVIEW,
                          published_at=None, created_by=reporter)
    make_article("Goes out at nine", section=world, status=Article.Status.SCHEDULED,
                 published_at=None, scheduled_for=timezone.now() + timedelta(hours=3))
    make_article("Embargoed results", section=world,
                 embargo_until=timezone.now() + timedelta(hours=6))
    for n in range(4):
        make_article(f"Yesterday's story {n}", section=world, age=timedelta(hours=22 + n))
    edition = build_edition(day)
    key = ApiKey(partner=Partner.objects.create(name="Balkan Wire"), label="production ingest")
    key.issue_token()
    key.save()
    report = Submission.objects.create(
        headline="Flood on Vitosha Boulevard", name="Maria Ivanova", email="maria@example.org",
        text="The water is knee-deep at the corner.\n\nShops closed.",
        consented_at=timezone.now())
    # A background worker behind, so that the front page's notice is audited too.
    late = release_due_articles.enqueue()
    DBTaskResult.objects.filter(pk=late.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10))
    return {"chief": chief, "reporter": reporter, "story": story.pk, "review": review.pk,
            "user": reporter.pk,
            "edition": edition.pk, "report": report.pk}


def axe_violations(page) -> list[str]:
    violations = violations_of(page, RULES)
    return [f"{v['id']}: {v['help']} ({'; '.join(' '.join(n['target']) for n in v['nodes'][:4])})"
            for v in violations]


def check_screen(pages, live_server, newsroom, screen, who, path) -> list[str]:
    """What is wrong with one screen: a failed load, or axe-core's violations."""
    url = live_server.url + path.format(**newsroom)
    page = pages(who)
    answer = page.goto(url)
    if answer.status != 200:
        return [f"{url} answered {answer.status}"]
    if page.url != url:
        return [f"sent on to {page.url}"]
    if page.locator("#content, #container").count() == 0:
        return ["no #content"]
    if screen in BUILT:
        page.locator(BUILT[screen]).first.wait_for(timeout=10_000)
    return axe_violations(page)


def test_no_desk_screen_has_a_wcag_violation(browser, live_server, newsroom):
    """Every screen in one browser and one newsroom (a test each cost ~4 s of set-up); each
    screen's problems are reported under its name, all of them at once."""
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    connections.close_all()
    opened = {}

    def pages(who):
        # One tab per account. The desk's CSP rightly refuses injected scripts; the auditor
        # is let in on purpose.
        if who not in opened:
            opened[who] = logged_in_page(browser, live_server.url,
                                         newsroom[who] if who else None, bypass_csp=True)
        return opened[who]

    front = pages("chief")
    front.goto(live_server.url + "/desk/")
    # What the front page shows only at times is there to be audited: a notice, a count.
    assert front.locator(".desk-notices li").count() == 1
    assert front.locator(".desk-shortcuts .waiting").count() == 2
    problems = {}
    for screen, who, path in SCREENS:
        try:
            found = check_screen(pages, live_server, newsroom, screen, who, path)
        except Exception as error:  # a screen that breaks the check is reported like the rest
            found = [f"{type(error).__name__}: {error}"]
        if found:
            problems[screen] = found
    assert problems == {}, "\n".join(f"{screen}: {'; '.join(found)}"
                                      for screen, found in problems.items())


def test_a_screen_reader_finds_the_editor_widgets_by_their_labels(
    browser, live_server, newsroom
):
    """What a11y.js is for: the widgets scripts build answer to their field's label."""
    page = logged_in_page(browser, live_server.url, newsroom["chief"])
    connections.close_all()
    page.goto(f"{live_server.url}{ARTICLE}{newsroom['story']}/change/")
    body = page.get_by_role("textbox", name=re.compile(r"^Body"))
    body.wait_for(timeout=10_000)
    assert body.get_attribute("contenteditable") == "true"
    section = page.get_by_role("combobox", name=re.compile(r"^Section"))
    assert section.count() == 1 and "World" in section.inner_text()
    page.goto(f"{live_server.url}/desk/auth/user/{newsroom['user']}/change/")
    page.locator(".selector-filter .help-tooltip").first.wait_for(timeout=10_000)
    assert page.get_by_role("img", name=re.compile("filter down the list of available groups"))\
        .count() == 1
