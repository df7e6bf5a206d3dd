"""In real Chromium: ads fill their reserved slots without moving anything (CLS 0), within the
site's CSP, a third-party tag runs on an opaque origin, and shown ads are counted."""

import pytest

from dateline.ads.models import Placement
from dateline.newsroom.models import Tag
from dateline.readership import counting
from dateline.readership.models import Tally

from ..site.test_browser import axe_violations, record_csp_violations
from ..site.test_pictures_browser import LAYOUT_SHIFTS
from .conftest import BROWSER
from .test_models import OTHER_ORIGINS, OTHER_PATHS, OWN_PATHS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "".join(f"<p>Paragraph {i} of the story, with enough words to fill a line or two of "
               "the page, so that the slots below the fold are really below it.</p>"
               for i in range(1, 15))
FILLED = "document.querySelectorAll('[data-ad-filled]').length"


def until(page, expression: str, seconds: float = 10) -> None:
    """Wait until the expression holds: polled from here, since wait_for_function's polling
    evaluates a string, which the page's CSP (no 'unsafe-eval') refuses."""
    for _ in range(int(seconds * 20)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


@pytest.fixture
def story_with_ads(make_section, make_article, make_tag, make_campaign):
    world = make_section("World", position=1)
    place = make_tag("Sofia", Tag.Kind.PLACE)
    story = make_article("Storm reaches the coast", section=world, tags=[place], body=BODY)
    for i in range(3):
        make_article(f"Other story {i}", section=world, tags=[place])
    tall = "<p>" + "<br>".join(["A very tall creative"] * 40) + "</p>"  # taller than any slot
    campaigns = {slot: make_campaign(f"Ad {slot}", slots=(slot,), html=f"<p>Ad for {slot}</p>")
                 for slot in ("top", "in-story", "after-story")}
    campaigns["tall"] = make_campaign("Tall", slots=("top",), html=tall, weight=1)
    # A hostile creative making every reader's browser "click" another campaign.
    after = campaigns["after-story"]
    after.html = (f'<p>Ad for after-story</p><img src="/ads/click/{campaigns["top"].pk}" '
                  'width="1" height="1" alt="">')
    after.save()
    Placement.objects.update_or_create(slot="sidebar", defaults={
        "third_party_tag": "<p id=partner>Partner</p><script>"
        "document.getElementById('partner').dataset.origin = self.origin;"
        "try { document.cookie; document.body.dataset.cookie = 'read'; }"
        " catch (e) { document.body.dataset.cookie = 'refused'; }</script>"})
    return story, campaigns


def test_ads_fill_without_layout_shift_or_csp_violation(browser, live_server,
                                                        story_with_ads):
    story, campaigns = story_with_ads
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=BROWSER)
    # A reader logged in to the desk: the counters never need, nor get, its cookies.
    context.add_cookies([{"name": "sessionid", "value": "desk-session", "url": live_server.url}])
    page = context.new_page()
    errors, beacons = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: beacons.append(r) if "/r/impression/" in r.url else None)
    record_csp_violations(page)
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(live_server.url + story.get_absolute_url())
    # The story's text is there at once; the slot at the top is filled first.
    assert page.locator("h1").inner_text() == story.headline
    until(page, "!!document.querySelector('[data-ad-slot=top][data-ad-filled]')")
    # The slot after the story is below the fold: empty until the reader comes near it.
    assert page.locator("[data-ad-slot=after-story][data-ad-filled]").count() == 0
    for _ in range(0, 4000, 300):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(50)
    until(page, f"{FILLED} === 4")
    shift = page.evaluate("""() => new Promise(r => requestAnimationFrame(() =>
        requestAnimationFrame(() => r(window.layoutShift))))""")
    assert shift == 0
    assert page.evaluate("window.cspViolations") == []
    assert errors == []
    # Every ad is labelled and stays inside its reserved box, the tall one too.
    labels = page.locator(".ad-slot .ad-label").all_inner_texts()
    assert [t.strip().lower() for t in labels] == ["advertisement"] * 4
    for box in page.locator(".ad-box").all():
        assert box.bounding_box()["height"] in (90, 250)

    # The third-party tag ran in a sandboxed frame on an opaque origin: no cookie of ours.
    frame = page.frame_locator("[data-ad-slot=sidebar] iframe")
    assert frame.locator("#partner").get_attribute("data-origin") == "null"
    assert frame.locator("body").get_attribute("data-cookie") == "refused"
    sandbox = page.locator("[data-ad-slot=sidebar] iframe").get_attribute("sandbox")
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox

    # The ads shown were counted by the beacon, once each; a click goes through the counter.
    page.wait_for_timeout(300)
    shown = {int(v) for v in page.eval_on_selector_all(
        "[data-ad-filled]", "els => els.map(e => e.dataset.adFilled)") if v.isdigit()}
    assert len(shown) == 3
    with page.expect_popup() as opened:
        page.locator("[data-ad-slot=in-story] a.ad-link").click()
    opened.value.close()
    counting.flush()
    impressions = {int(t.key): t.count for t in Tally.objects.filter(kind="impression")}
    assert impressions == dict.fromkeys(shown, 1)
    clicks = {int(t.key): t.count for t in Tally.objects.filter(kind="click")}
    assert clicks == {campaigns["in-story"].pk: 1}
    assert page.locator('img[src*="/ads/click/"]').count() == 0  # dropped from the creative
    # Such an image anywhere (another site's page) is no reader's click, as Chromium asks it.
    with page.expect_request(lambda r: "/ads/click/" in r.url):
        page.evaluate("""top => { const img = new Image(); img.src = "/ads/click/" + top;
                                  document.body.append(img); }""", campaigns["top"].pk)
    page.wait_for_timeout(300)
    counting.flush()
    assert {int(t.key): t.count for t in Tally.objects.filter(kind="click")} == clicks
    assert len(beacons) == 3
    assert [r.all_headers().get("cookie") for r in beacons] == [None] * 3
    context.close()


def test_a_page_with_its_ads_shown_passes_axe(browser, live_server, story_with_ads):
    story, _ = story_with_ads
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=BROWSER,
                                  bypass_csp=True)  # axe is added as a script of its own
    page = context.new_page()
    page.goto(live_server.url + story.get_absolute_url())
    for _ in range(0, 4000, 300):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(50)
    until(page, f"{FILLED} === 4")
    violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
    problems = [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
                for v in violations]
    assert problems == []
    context.close()


def test_chromium_reads_the_dropped_image_paths_as_other_origins(browser):
    """The creative's rule for a site's own image (dateline.ads.creative) against the browser's
    own URL parser: what it drops points elsewhere, what it keeps stays on the site."""
    page = browser.new_page()
    origin = "s => new URL(s, 'https://news.example/ads/').origin"
    assert {src: page.evaluate(origin, src) for src in OWN_PATHS} == dict.fromkeys(
        OWN_PATHS, "https://news.example")
    elsewhere = {src: page.evaluate(origin, src) for src in OTHER_ORIGINS}
    assert "https://news.example" not in elsewhere.values(), elsewhere
    # The site's own paths it drops are, to Chromium, no file of its static or media folders.
    path = "s => new URL(s, 'https://news.example/ads/').pathname"
    kept = {src: page.evaluate(path, src) for src in OWN_PATHS}
    assert all(p.startswith(("/media/", "/static/")) for p in kept.values()), kept
    actions = {src: page.evaluate(path, src) for src in OTHER_PATHS}
    assert not any(p.startswith(("/media/", "/static/")) for p in actions.values()), actions
    page.close()


def test_a_reader_clicking_the_newsletters_ad_in_webmail_is_counted(browser, live_server,
                                                                     make_campaign, settings,
                                                                     tmp_path):
    """Webmail is another site: the newsletter's signed link counts the click the site's own
    pages' rule (same-site only) would have dropped, while the same campaign's plain link
    followed from there still bills nobody."""
    import functools
    import http.server
    import threading
    from datetime import date

    from dateline.edition.assembly import build_edition
    from dateline.edition.models import Subscriber
    from dateline.edition.newsletter import EditionMail

    settings.DATELINE_SITE_URL = live_server.url
    campaign = make_campaign("Weekly", slots=("newsletter",), html="<p>Buy the weekly</p>",
                             link="https://advertiser.example/offer")
    mail = EditionMail(build_edition(date(2026, 11, 27)))
    html = mail.to(Subscriber.objects.create(email="a@example.org")).alternatives[0][0]
    plain = f'<a id="plain" href="{live_server.url}/ads/click/{campaign.pk}">Plain</a>'
    (tmp_path / "mail.html").write_text(html + plain, encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path)
    webmail = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=webmail.serve_forever, daemon=True).start()
    try:
        context = browser.new_context(user_agent=BROWSER)
        # The advertiser's page, answered in the browser: its address resolves nowhere here,
        # and Chromium's error page for it could land after the next goto and cut it short.
        context.route("https://advertiser.example/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<p>The offer</p>"))
        page = context.new_page()
        # "localhost" and "127.0.0.1" are two sites: webmail is on the one the site is not.
        host = "127.0.0.1" if "//localhost:" in live_server.url else "localhost"
        for link in ("text=Buy the weekly", "#plain"):
            page.goto(f"http://{host}:{webmail.server_port}/mail.html")
            with page.expect_response(lambda r: "/ads/click/" in r.url) as answer:
                page.click(link)
            # Sent on to the advertiser.
            assert answer.value.status == 302
            assert answer.value.headers["location"] == "https://advertiser.example/offer"
            page.wait_for_url("https://advertiser.example/offer")
        context.close()
    finally:
        webmail.shutdown()
    counting.flush()
    assert Tally.objects.get(kind="click", key=str(campaign.pk)).count == 1
