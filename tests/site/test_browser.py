"""A reader in real headless Chromium: home → section → article."""

from datetime import timedelta
from pathlib import Path

import pytest

from dateline.live.models import LiveEntry
from dateline.newsroom.models import ArticleNote, Tag

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, rules: list[str], within: str = "document") -> list[dict]:
    """axe-core's violations of `rules` on the page (its script added first).
    Only the violations come back: the passes, incomplete and inapplicable rules, each with its
    nodes, were most of what Playwright carried to Python and a fifth of an audit's time."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        f"rules => axe.run({within}, {{runOnly: rules, resultTypes: ['violations']}})"
        ".then(found => found.violations)", rules)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_csp_violations(page) -> None:
    """Record in window.cspViolations whatever the Content-Security-Policy refuses, not only
    what reaches the console."""
    page.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )


def test_reader_goes_from_home_to_section_to_article(
    browser, live_server, make_section, make_article, make_tag, make_source
):
    world = make_section("World", position=1)
    russia = make_section("Russia", parent=world)
    make_section("Sport", position=2)
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    story = make_article(
        "Kremlin agrees to new talks", section=russia, tags=[moscow],
        sources=[make_source("Le Monde")], age=timedelta(days=3),
        body="<p>The Kremlin agreed on Wednesday to talks. Officials confirmed it.</p>",
    )
    for i in range(3):
        make_article(f"Other Russia story {i}", section=russia, tags=[moscow])
    for i in range(5):
        make_article(f"Untagged Russia story {i}", section=russia, age=timedelta(days=5 + i))

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    record_csp_violations(page)
    page.goto(live_server.url)
    assert page.title().startswith("Dateline")
    assert page.locator("nav[aria-label=Sections] >> text=World").is_visible()
    page.click("nav[aria-label=Sections] >> text=World")
    page.wait_for_url(f"{live_server.url}/section/world/")
    assert page.locator("h1").inner_text() == "World"
    page.click(f"text={story.headline}")
    page.wait_for_url(f"{live_server.url}{story.get_absolute_url()}")

    assert page.locator("h1").inner_text() == story.headline
    crumbs = page.locator("nav[aria-label=Breadcrumb] li").all_inner_texts()
    assert [c.strip("» ").strip() for c in crumbs] == ["World", "Russia"]
    dateline = page.locator(".story-dateline time").inner_text()
    assert " // " in dateline and dateline.split(",")[0].split()[0].isalpha()
    assert page.locator(".sources").inner_text() == "Sources: Le Monde"
    assert page.locator(".related .teaser").count() == 5  # 3 sharing a tag, 2 from Russia
    assert page.locator(".more-from-section .teaser").count() == 3  # the rest, no repeats
    assert page.locator(".more-from-section h2").inner_text().lower() == "more from russia"
    assert page.get_by_role("link", name="Moscow").is_visible()
    assert page.get_by_text("Be a reporter: write and send your article").is_visible()
    # The stylesheet loaded: the body is set in the serif face, not the browser default.
    assert "Georgia" in page.eval_on_selector(".story-body", "e => getComputedStyle(e).fontFamily")
    # The JSON-LD blocks are data, not scripts: CSP's script-src 'self' lets them be.
    assert page.locator('script[type="application/ld+json"]').count() == 2
    news = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert news["headline"] == story.headline
    assert page.evaluate("window.cspViolations") == []
    assert errors == []


def test_pages_fit_a_phone_screen(browser, live_server, make_section, make_article):
    story = make_article("A rather long headline about an important event in the capital",
                         section=make_section("World"))
    page = browser.new_page(viewport={"width": 360, "height": 740})
    for path in ("/", "/section/world/", story.get_absolute_url(), "/missing/"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


def test_the_masthead_reflows_at_320_px_and_at_twice_the_text_size(
        browser, live_server, make_section, make_article):
    """The search box kept its width: at 320 px (1280 px at 400 %) the page scrolled sideways
    by 11 px, and on a phone with text at 200 % the Search button was off the screen
    (WCAG 1.4.10)."""
    make_article("A story", section=make_section("World"))
    for path in ("/", "/search/?q=story"):  # the search page's own box, too
        for width, text in ((320, ""), (320, "200%"), (390, "200%"), (640, "200%")):
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto(live_server.url + path)
            page.evaluate("size => { document.documentElement.style.fontSize = size; }", text)
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            button = page.locator(".masthead-search button").bounding_box()
            assert overflow <= 0 and button["x"] + button["width"] <= width, (path, width, text)
            page.close()


def test_the_current_section_is_marked_in_forced_colours(
        browser, live_server, make_section, make_article):
    """High-contrast modes drop backgrounds: the current section, marked by its red one
    alone, looked like every other."""
    make_article("A story", section=make_section("World"))
    make_section("Business")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.emulate_media(forced_colors="active")
    page.goto(live_server.url + "/section/world/")
    lines = """el => getComputedStyle(el).textDecorationLine"""
    assert page.locator(".sections-nav a[aria-current]").evaluate(lines) == "underline"
    assert page.locator(".sections-nav a:not([aria-current])").last.evaluate(lines) == "none"


def test_the_search_pages_targets_are_big_enough_for_a_thumb(
        browser, live_server, make_section, make_article):
    """The cross that removes a filter was 13 by 19 pixels, the form's button 58 by 21: under
    WCAG 2.5.5's 44 by 44 for a touch screen."""
    world = make_section("World")
    make_article("Harvest figures for wheat", section=world)
    page = browser.new_page(viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(f"{live_server.url}/search/?q=wheat&section={world.pk}")
    targets = page.locator(".search-active a, .search-form button, .masthead-search button")
    assert targets.count() == 3
    for box in targets.evaluate_all("els => els.map(e => [e.className || e.textContent, "
                                    "e.getBoundingClientRect().width, "
                                    "e.getBoundingClientRect().height])"):
        assert box[1] >= 44 and box[2] >= 44, box
    page.close()


def test_a_phone_is_led_to_the_search_filters_a_wide_screen_shows_beside(
        browser, live_server, make_section, make_article):
    """On a phone the filters came after all twenty results, 4,500 px down, unannounced."""
    world = make_section("World")
    make_article("Harvest figures for wheat", section=world)
    for width, shown in ((390, True), (1280, False)):
        page = browser.new_page(viewport={"width": width, "height": 844})
        page.goto(f"{live_server.url}/search/?q=wheat")
        link = page.get_by_role("link", name="Narrow the results")
        assert link.is_visible() is shown, width
        if shown:
            link.click()
            assert page.locator("#narrow").is_visible()
            assert page.evaluate("location.hash") == "#narrow"
        page.close()


def test_a_wire_table_of_unbreakable_figures_keeps_the_story_on_a_phone(
        browser, live_server, make_section, make_article):
    """A Reuters price table ("PROPANE..............BUTANE.......") pushed the article 431
    pixels wide on a 390-pixel phone, its text cut at the right edge."""
    row = "SPOT.(DLRS/TONNE)......PROPANE..............BUTANE..............................."
    story = make_article("International LPG prices mixed", section=make_section("Business"),
                         body=f"<p>Prices were:</p><p>{row}</p><p>{row.replace('.', '-')}</p>")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(live_server.url + story.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert row in page.inner_text(".story-body")  # broken across lines, not cut


def test_the_skip_link_and_the_menus_focus_are_plain_to_see(
        browser, live_server, make_section, make_article):
    """Tabbed to, the skip link was red on near-black (2.2:1), and a focused section in the
    menu looked exactly like the page one is on."""
    make_section("World")
    make_section("Business")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/section/world/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    colour = page.evaluate("getComputedStyle(document.activeElement).color")
    assert colour == "rgb(255, 255, 255)"
    current = page.locator(".sections-nav a[aria-current]")
    other = page.locator(".sections-nav a:not([aria-current])").last
    other.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focused from the keyboard: :focus-visible
    looks = """el => { const s = getComputedStyle(el);
        return [s.backgroundColor, s.outlineStyle, s.textDecorationLine].join(' '); }"""
    assert other.evaluate(looks) != current.evaluate(looks)


def test_pages_pass_axe_accessibility_checks(
    browser, live_server, make_section, make_article, make_tag, make_author
):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    world = make_section("World", position=1)
    russia = make_section("Russia", parent=world)
    tag, author = make_tag("Moscow", Tag.Kind.PLACE), make_author("Ivan Petrov")
    story = make_article("Kremlin agrees to new talks", section=russia, tags=[tag],
                         authors=[author], is_top_story=True)
    for i in range(25):
        make_article(f"Story {i}", section=russia, tags=[tag], authors=[author])
    # The states a page shows only at times, so that their colours are audited too: breaking
    # news's banner on every page, a story's correction and update notes.
    breaking = make_article("Earthquake shakes the capital", section=world, is_breaking=True,
                            age=timedelta(minutes=5))
    for kind in ArticleNote.Kind:
        ArticleNote.objects.create(article=breaking, kind=kind, text=f"A {kind.label} note.")
    live = make_article("Talks in Geneva, live", section=world, is_live_coverage=True)
    for text in ("Delegations arrive.", "The first session ends."):
        LiveEntry.objects.create(article=live, body=f"<p>{text}</p>")
    # The site's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    paths = ["/", "/section/world/", "/section/world/?page=2", story.get_absolute_url(),
             breaking.get_absolute_url(), live.get_absolute_url(), "/places/moscow/",
             "/authors/ivan-petrov/", "/search/?q=talks", "/search/?q=nothing+matches+this",
             "/news-in-brief/", "/missing/"]
    for path in paths:
        page.goto(live_server.url + path)
        violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
        problems = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in violations
        ]
        assert problems == [], f"{path}: {problems}"
