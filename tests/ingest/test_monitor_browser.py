"""The monitor in real headless Chromium: an editor sees a cluster, a new one arrives in place
and is announced, a draft is made from a cluster and opens in the editor; axe-core finds no
WCAG 2 A/AA violation on the monitor, the sources screens and a press review's entries."""

import pytest
from django.db import connections

from dateline.ingest.models import WatchedTerm
from dateline.ingest.press_review import start_review
from dateline.newsroom.models import Article

from ..newsroom.journeys import logged_in_page
from ..newsroom.test_desk_axe import axe_violations
from ..site.test_browser import AXE, record_csp_violations
from . import desk_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(make_user, make_section):
    make_section("World")
    WatchedTerm.objects.get_or_create(term="Bulgaria")
    lemonde, zeit = desk_rows.feed("Le Monde"), desk_rows.feed("Die Zeit", may_quote=False)
    c = desk_rows.cluster("Floods in Bulgaria")
    desk_rows.item(lemonde, "Inondations en Bulgarie", summary="Bulgaria: rivers rose.",
                   cluster=c, language="fr")
    desk_rows.item(zeit, "Hochwasser in Bulgaria", summary="Flüsse stiegen.", cluster=c,
                   language="de")
    return {"editor": make_user("Editor"), "cluster": c, "feed": lemonde}


def test_an_editor_watches_the_monitor_and_drafts_from_a_cluster(browser, live_server, newsroom):
    page = logged_in_page(browser, live_server.url, newsroom["editor"])
    record_csp_violations(page)
    connections.close_all()
    page.goto(f"{live_server.url}/desk/ingest/monitor/")
    cluster = page.locator(".monitor-cluster", has_text="Floods in Bulgaria")
    assert cluster.count() == 1
    assert "2 outlets: Le Monde, Die Zeit" in cluster.inner_text()
    page.get_by_role("checkbox", name="Le Monde: Inondations en Bulgarie").check()

    # A story arrives: the list renews in place (the page calls this every 30 s), keeps the
    # tick and says what is new in its polite live region.
    arrived = desk_rows.cluster("Strike in Sofia, Bulgaria")
    desk_rows.item(desk_rows.feed("NHK"), "Strike", cluster=arrived,
                   summary="Rail workers across <b>Bulgaria</b> stopped work at dawn.")
    page.evaluate("document.getElementById('monitor-form').renew()")
    page.locator(".monitor-cluster", has_text="Strike in Sofia").wait_for(timeout=10_000)
    # The words around the mention, the term marked, the outlet's text never markup.
    snippet = page.locator(".monitor-cluster", has_text="Strike in Sofia").locator(
        ".monitor-snippet")
    assert snippet.inner_text() == "Rail workers across <b>Bulgaria</b> stopped work at dawn."
    assert snippet.locator("mark").inner_text() == "Bulgaria"
    status = page.locator("#monitor-status")
    assert status.get_attribute("aria-live") == "polite"
    assert "1 new story in the list: Strike in Sofia, Bulgaria" in status.inner_text()
    assert page.get_by_role("checkbox", name="Le Monde: Inondations en Bulgarie").is_checked()

    cluster = page.locator(".monitor-cluster", has_text="Floods in Bulgaria")
    cluster.get_by_role("button", name="Draft from the whole cluster").click()
    page.wait_for_url("**/desk/newsroom/article/*/change/")
    draft = Article.objects.get(created_by=newsroom["editor"])
    assert page.url.endswith(f"/desk/newsroom/article/{draft.pk}/change/")
    assert page.locator("#id_headline").input_value() == "Inondations en Bulgarie"
    assert {s.name for s in draft.sources.all()} == {"Le Monde", "Die Zeit"}
    assert page.evaluate("window.cspViolations") == []


def test_the_ingest_screens_have_no_wcag_violation(browser, live_server, newsroom):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    items = list(newsroom["cluster"].items.select_related("feed", "outlet"))
    review = start_review(items, newsroom["editor"], "Bulgaria")
    page = logged_in_page(browser, live_server.url, newsroom["editor"], bypass_csp=True)
    connections.close_all()
    problems = {}
    for path in ("/desk/ingest/monitor/", "/desk/ingest/feed/",
                 f"/desk/ingest/feed/{newsroom['feed'].pk}/change/", "/desk/ingest/watchedterm/",
                 "/desk/ingest/failedpayload/", f"/desk/ingest/press-review/{review.pk}/",
                 "/desk/ingest/"):
        answer = page.goto(live_server.url + path)
        found = [f"answered {answer.status}"] if answer.status != 200 else axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}, "\n".join(f"{p}: {'; '.join(f)}" for p, f in problems.items())
