"""Readers in real headless Chromium with a page open while the desk publishes."""

import re
import time

import pytest

from ..site.test_browser import axe_violations, record_csp_violations
from .server import publish, publish_many

pytestmark = [pytest.mark.browser, pytest.mark.broker]


@pytest.fixture
def reader_page(browser, site):
    """An article page, open and listening, recording console errors and CSP refusals."""
    story = publish(site, "Morning briefing")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    record_csp_violations(page)
    page.goto(site.url + story["url"])
    page.wait_for_selector("html[data-live=open]", state="attached", timeout=10_000)
    yield page
    assert page.errors == []
    assert page.evaluate("window.cspViolations") == []
    context.close()


def test_a_published_headline_appears_in_the_ticker_within_two_seconds(reader_page, site):
    # The ticker was filled from the stream's snapshot: an article page renders no list.
    reader_page.wait_for_selector(".ticker-list li >> text=Morning briefing", timeout=5_000)
    story = publish(site, "Central bank cuts rates")
    link = reader_page.wait_for_selector(
        ".ticker-list li:first-child a >> text=Central bank cuts rates", timeout=5_000)
    seen = time.time()
    assert seen - story["committed"] < 2.0, f"{seen - story['committed']:.2f} s"
    assert link.get_attribute("href") == story["url"]
    assert reader_page.locator(".ticker").is_visible()


def test_a_ticker_link_tabbed_to_is_shown_whole(reader_page, site):
    """At 1280 px the fourth link, tabbed to, was cut by the list's edge, its focus ring
    with it: only the fifth was scrolled into view."""
    publish_many(site, [f"A rather long headline of the ticker, number {n}, for the test"
                        for n in range(5)])
    reader_page.wait_for_selector(".ticker-list li:nth-child(5)", timeout=5_000)
    # And on a narrow phone, where one headline is wider than the whole strip.
    for width in (1280, 320):
        reader_page.set_viewport_size({"width": width, "height": 800})
        edge = reader_page.locator(".ticker-list").bounding_box()
        for link in reader_page.locator(".ticker-list a").all():
            link.focus()
            box = link.bounding_box()
            assert edge["x"] - 1 <= box["x"] and box["x"] + box["width"] <= (
                edge["x"] + edge["width"] + 1), (width, link.inner_text())


def test_breaking_news_raises_the_banner_without_a_reload(reader_page, site):
    assert reader_page.locator("#breaking-banner").is_hidden()
    story = publish(site, "Volcano erupts near the capital", breaking=True)
    reader_page.wait_for_selector("#breaking-banner >> text=Volcano erupts near the capital",
                                  timeout=2_000)
    assert reader_page.locator("#breaking-banner a").get_attribute("href") == story["url"]
    site.django(
        "from dateline.newsroom.models import Article\n"
        f"a = Article.objects.get(pk={story['id']}); a.is_breaking = False\n"
        "a.save(update_fields=['is_breaking'])")
    reader_page.wait_for_selector("#breaking-banner", state="hidden", timeout=2_000)


def test_live_coverage_entries_appear_in_place(browser, site):
    story = publish(site, "Election night, live")
    site.django(
        "from dateline.newsroom.models import Article\n"
        f"Article.objects.filter(pk={story['id']}).update(is_live_coverage=True)\n"
        "from dateline.live.models import LiveEntry\n"
        f"LiveEntry.objects.create(article_id={story['id']}, body='<p>Polls open.</p>')")
    page = browser.new_page()
    page.goto(site.url + story["url"])
    page.wait_for_selector("html[data-live=open]", state="attached", timeout=10_000)
    entry = site.django(
        "from dateline.live.models import LiveEntry\n"
        f"e = LiveEntry.objects.create(article_id={story['id']},"
        " body='<p>First <strong>results</strong> in.<script>alert(1)</script></p>'"
        " '<img src=x onerror=alert(2)>')\n"
        "result = e.pk")
    page.wait_for_selector(f"#entry-{entry} >> text=First results in.", timeout=2_000)
    texts = page.locator(".live-entries > li").all_inner_texts()
    assert "First results in." in texts[0] and "Polls open." in texts[1]
    assert page.locator(f"#entry-{entry} script, #entry-{entry} [onerror]").count() == 0
    page.close()


def test_a_page_opened_before_coverage_began_gets_its_entries(reader_page, site):
    # The story page was open, and idle, before the desk started live coverage: it had no
    # coverage section to put entries in, and used to miss them all.
    story_id = int(reader_page.locator("article.story").get_attribute("data-article"))
    assert reader_page.locator(".live-coverage").count() == 0
    entry = site.django(
        "import time\n"
        "from dateline.newsroom.models import Article\n"
        "from dateline.live.models import LiveEntry\n"
        f"a = Article.objects.get(pk={story_id}); a.is_live_coverage = True\n"
        "a.save(update_fields=['is_live_coverage'])\n"
        f"e = LiveEntry.objects.create(article_id={story_id}, body='<p>Doors open.</p>')\n"
        "result = [e.pk, time.time()]")
    # A generous bound against the failure (never shown); in practice a fraction of a second.
    reader_page.wait_for_selector(f"#entry-{entry[0]} >> text=Doors open.", timeout=5_000)
    assert time.time() - entry[1] < 2.0, f"{time.time() - entry[1]:.2f} s"
    assert reader_page.locator(".live-coverage h2").text_content() == "Live Latest updates"
    assert reader_page.locator(".live-coverage").evaluate(
        "s => s.nextElementSibling.classList.contains('story-body')")


def test_the_strip_passes_axe_once_filled(browser, site):
    story = publish(site, "Accessible ticker item", breaking=True)
    # The site's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(site.url + story["url"])
    page.wait_for_selector(".ticker-list >> text=Accessible ticker item", timeout=5_000)
    assert page.locator("#breaking-banner").is_visible()
    violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    context.close()


def test_without_javascript_the_page_shows_breaking_news_as_rendered(browser, site):
    story = publish(site, "Power cut across the north", breaking=True)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    assert page.locator("#breaking-banner").is_visible()
    assert page.locator("#breaking-banner a").inner_text() == "Power cut across the north"
    assert page.locator(".ticker-list li").first.inner_text().endswith(
        "Power cut across the north")
    assert page.locator("#breaking-banner a").get_attribute("href") == story["url"]
    context.close()


# Counts the stream's "latest" snapshots handled, and every change to the ticker's list once
# it exists: the page's own script runs before DOMContentLoaded, the snapshot comes later.
WATCH_TICKER = """
window.handled = 0; window.latestHandled = 0; window.tickerChanges = 0;
const listen = EventSource.prototype.addEventListener;
EventSource.prototype.addEventListener = function (kind, handle, ...rest) {
  const counted = function (event) {
    handle.call(this, event);
    window.handled += 1;
    if (kind === "latest") window.latestHandled += 1;
  };
  return listen.call(this, kind, counted, ...rest);
};
document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("#ticker-list");
  new MutationObserver(records => { window.tickerChanges += records.length; })
    .observe(list, {childList: true, subtree: true, characterData: true});
});
"""


def test_the_ticker_is_not_read_out_again_when_the_stream_says_what_it_shows(browser, site):
    """The snapshot each connection sends replaced the list's five items every time: a
    screen reader read five headlines again on every page load (the list is a live region)."""
    publish(site, "Harbour reopens after storm", breaking=True)
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_TICKER)
    page.goto(site.url + "/")
    page.wait_for_function("() => window.latestHandled > 0", timeout=10_000)
    assert page.evaluate("window.tickerChanges") == 0
    # What it hears of the breaking story says so, rendered or sent by the stream alike.
    first = page.locator(".ticker-list li").first
    assert first.locator(".visually-hidden").inner_text() == "Breaking:"
    story = publish(site, "Ferry services resume", breaking=True)
    page.wait_for_selector(".ticker-list li:first-child >> text=Ferry services resume",
                           timeout=5_000)
    first = page.locator(".ticker-list li").first
    assert first.text_content() == (first.locator("time").text_content()
                                    + " Breaking: Ferry services resume")
    assert page.locator("#breaking-banner a").get_attribute("href") == story["url"]
    # HTML's date-time has at most three digits of a second; the stream sends six.
    for value in page.locator(".ticker-list time").evaluate_all(
            "times => times.map(t => t.dateTime)"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?"
                            r"(Z|[+-]\d\d:\d\d)", value), value
    context.close()


def test_a_story_of_long_ago_marked_breaking_raises_no_banner(browser, site):
    """The server shows a breaking story for DATELINE_BREAKING_HOURS after its publication;
    the script raised the banner for any story the stream said was breaking, one of 1987
    included, so readers of one page saw it and those of another did not."""
    story = publish(site, "Grain prices ease")
    site.django(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from dateline.newsroom.models import Article\n"
        f"a = Article.objects.get(pk={story['id']})\n"
        "a.published_at = timezone.now() - timedelta(days=400)\n"
        "a.save(update_fields=['published_at'])")
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(WATCH_TICKER)
    page.goto(site.url + "/")
    page.wait_for_function("() => window.latestHandled > 0", timeout=10_000)
    handled = page.evaluate("window.handled")
    site.django(
        "from dateline.newsroom.models import Article\n"
        f"a = Article.objects.get(pk={story['id']}); a.is_breaking = True\n"
        "a.save(update_fields=['is_breaking'])")
    page.wait_for_function(f"() => window.handled > {handled}", timeout=10_000)
    # (Another test's story may be breaking now: the site is the module's.)
    banner = page.locator("#breaking-banner")
    assert banner.is_hidden() or "Grain prices ease" not in banner.text_content()
    context.close()


def test_a_strip_rendered_before_the_breaking_rule_still_raises_the_banner(browser, site):
    """A strip kept from before the rule (no data-breaking-hours) read it as zero hours: every
    breaking story was too old, and none got the banner or its place on top of the list."""
    context = browser.new_context()
    page = context.new_page()

    # As kept from before: the attribute taken off as the strip is parsed, before the
    # deferred script reads it (a routed page would be cut off from the loopback stream).
    page.add_init_script("""new MutationObserver(() => {
      const strip = document.querySelector(".live-strip[data-breaking-hours]");
      if (strip) strip.removeAttribute("data-breaking-hours");
    }).observe(document, {subtree: true, childList: true});""")
    page.goto(site.url + "/")
    page.wait_for_selector("html[data-live=open]", state="attached", timeout=10_000)
    assert page.locator(".live-strip").get_attribute("data-breaking-hours") is None
    story = publish(site, "Bridge closed after collision", breaking=True)
    page.wait_for_selector("#breaking-banner >> text=Bridge closed after collision",
                           timeout=5_000)
    assert page.locator("#breaking-banner a").get_attribute("href") == story["url"]
    # The story it replaced is no longer called breaking in the list.
    assert page.locator(".ticker-list .visually-hidden").count() == 1
    context.close()


KILL = """
from django.contrib.auth.models import User
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
TRANSITIONS["unpublish"].execute(User.objects.get(username="desk-editor"),
                                 Article.objects.get(pk={pk}))
"""


def ticker_headlines(page) -> list[str]:
    return page.locator(".ticker-list li a").all_inner_texts()


def test_a_killed_breaking_story_hands_the_banner_back_and_the_ticker_is_refilled(
        reader_page, site):
    """Killing the newest breaking story hid the banner on open pages while an older one was
    still breaking (a page loaded then showed it), and left the ticker four items long."""
    publish_many(site, [f"Harbour pilots' strike, day {n}" for n in range(5)])
    older = publish(site, "Dam holds after a night of rain", breaking=True)
    newer = publish(site, "Second quake strikes the coast", breaking=True)
    reader_page.wait_for_selector("#breaking-banner >> text=Second quake strikes the coast",
                                  timeout=5_000)
    reader_page.wait_for_selector(".ticker-list li:first-child >> text=Second quake",
                                  timeout=5_000)
    fifth = ticker_headlines(reader_page)[4]
    site.django(KILL.format(pk=newer["id"]))
    reader_page.wait_for_selector("#breaking-banner >> text=Dam holds after a night of rain",
                                  timeout=5_000)
    assert reader_page.locator("#breaking-banner a").get_attribute("href") == older["url"]
    # The story after the fifth moves up: five items, as a page loaded now shows.
    reader_page.wait_for_function(
        "() => document.querySelectorAll('.ticker-list li').length === 5", timeout=5_000)
    shown = ticker_headlines(reader_page)
    assert "Second quake strikes the coast" not in shown
    assert shown[0] == "Dam holds after a night of rain" and shown[3] == fifth
    first = reader_page.locator(".ticker-list li").first
    assert first.locator(".visually-hidden").inner_text() == "Breaking:"
    assert reader_page.locator(".ticker-list .visually-hidden").count() == 1


def test_a_story_published_again_takes_its_place_by_time_not_the_top(reader_page, site):
    """A killed story brought back keeps its publication time: open pages put a story of
    last year on top of "Latest", where a page loaded then shows the five newest."""
    story = publish(site, "Grain harvest figures, last year")
    publish_many(site, [f"Council meets on budget, item {n}" for n in range(5)])
    site.django(KILL.format(pk=story["id"]) + (
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        f"Article.objects.filter(pk={story['id']}).update(\n"
        "    published_at=timezone.now() - timedelta(days=400))\n"))
    reader_page.wait_for_selector(".ticker-list li:first-child >> text=item 4", timeout=5_000)
    before = ticker_headlines(reader_page)
    site.django(
        "from django.contrib.auth.models import User\n"
        "from dateline.newsroom.actions import TRANSITIONS\n"
        "from dateline.newsroom.models import Article\n"
        "TRANSITIONS['publish'].execute(User.objects.get(username='desk-editor'),\n"
        f"                              Article.objects.get(pk={story['id']}))\n")
    # Told of it (the next event moves the list), it stays out of the five newest.
    marker = publish(site, "Ferry timetable changes")
    reader_page.wait_for_selector(".ticker-list li:first-child >> text=Ferry timetable",
                                  timeout=5_000)
    shown = ticker_headlines(reader_page)
    assert "Grain harvest figures, last year" not in shown
    assert shown == ["Ferry timetable changes", *before[:4]], (shown, marker)
