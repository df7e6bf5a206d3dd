"""A reader in headless Chromium counts one view per page shown, cached pages too; the
browser's own headless user agent, a robot's, counts nothing."""

import pytest

from dateline.readership import counting
from dateline.readership.models import Tally
from tests.site.test_browser import record_csp_violations

from .conftest import BROWSER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def views_of(story) -> int:
    counting.flush()
    row = Tally.objects.filter(kind="view", key=str(story.pk)).first()
    return row.count if row else 0


def test_each_page_shown_counts_once_cached_or_not(browser, live_server,
                                                    make_article):
    story = make_article("Counted in a browser")
    url = live_server.url + story.get_absolute_url()
    context = browser.new_context(user_agent=BROWSER)
    page = context.new_page()
    record_csp_violations(page)
    sent = []
    page.on("request", lambda r: sent.append(r) if "/r/view/" in r.url else None)
    # The second page is the page cache's stored copy (answered 304 to the browser's
    # revalidation, not rendered): it counts all the same, by its script.
    for _ in range(2):
        with page.expect_response(lambda r: "/r/view/" in r.url) as beacon:
            page.goto(url)
        assert beacon.value.status == 204
    assert views_of(story) == 2
    assert all("cookie" not in r.all_headers() for r in sent)
    assert page.evaluate("window.cspViolations") == []
    context.close()


def test_a_headless_browser_is_not_counted(browser, live_server, make_article):
    story = make_article("Seen by a robot")
    page = browser.new_page()  # Chromium's own "HeadlessChrome" user agent
    with page.expect_response(lambda r: "/r/view/" in r.url) as beacon:
        page.goto(live_server.url + story.get_absolute_url())
    assert beacon.value.status == 204  # answered as any, so the page shows no error
    assert views_of(story) == 0
