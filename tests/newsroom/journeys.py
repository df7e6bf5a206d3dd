"""The journey harness: an editor's task in real Chromium, counted in page loads and clicks.

A journey wraps a Playwright page. Every click, every Enter that submits and every choice from
a drop-down goes through `Journey.click`, `press_enter` or `choose`; page loads are the main
frame's `load` events (a typed address, a followed link, a submitted form, a redirect's
landing page), so a step that works in place (fetch, the live stream) costs none. Typing is
not counted: the figures say how often an editor waits for the desk and aims the mouse.

At the end of the session the counts go to var/journeys.json (merged with the journeys that
did not run this time) and a short summary is printed: `make journeys` refreshes the figures
that README.md's "Measured journeys" table quotes. Each journey's test holds the budget that
table shows, and fails if a change makes the journey longer.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[2] / "var" / "journeys.json"
_done: dict[str, dict] = {}


@dataclass
class Journey:
    name: str
    page: object  # a playwright.sync_api.Page
    page_loads: int = 0
    clicks: int = 0
    steps: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.watch(self.page)

    def watch(self, page) -> None:
        """Count another page's loads too: a second tab, or a second editor in the same task."""
        page.on("load", self._loaded)

    def _loaded(self, page) -> None:
        self.page_loads += 1
        self.steps.append(f"load {page.url}")

    def goto(self, url: str) -> None:
        """An address typed or opened from a bookmark: a page load, no click."""
        self.page.goto(url)

    def click(self, target, **options) -> None:
        """One click on a selector or a Locator; waits for a page it starts to load."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        self.clicks += 1
        self.steps.append(f"click {target}")
        locator.click(**options)
        locator.page.wait_for_load_state()

    def press_enter(self, target) -> None:
        """Enter in a field, which submits its form: counted as a click."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        self.clicks += 1
        self.steps.append(f"enter {target}")
        locator.press("Enter")
        locator.page.wait_for_load_state()

    def choose(self, target, label: str) -> None:
        """An option picked from a plain drop-down: one aim of the mouse, counted as a click."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        self.clicks += 1
        self.steps.append(f"choose {label!r} in {target}")
        locator.select_option(label=label)

    def pick(self, page, field: str, typed: str, option: str) -> None:
        """A select2 picker: a click opens it, typing finds or names the choice, Enter takes the
        highlighted `option` (a new name reads "Name (new)"): two aims, counted as two clicks."""
        self.click(page.locator(f".field-{field} .select2-selection"))
        page.keyboard.type(typed)
        page.locator(".select2-results__option--highlighted").filter(has_text=option)\
            .wait_for(timeout=10_000)
        self.clicks += 1
        self.steps.append(f"pick {option!r} in {field}")
        page.keyboard.press("Enter")

    def drag(self, source, target, **options) -> None:
        """A drag and drop: one press, one release, counted as one click."""
        self.clicks += 1
        self.steps.append(f"drag {source} to {target}")
        source.drag_to(target, **options)

    def press(self, page, key: str) -> None:
        """A key that acts (a keyboard move, a shortcut that saves): counted as a click."""
        self.clicks += 1
        self.steps.append(f"key {key}")
        page.keyboard.press(key)

    def within(self, page_loads: int, clicks: int) -> None:
        """Record the counts, then hold them to the budget: they may go down, never up."""
        _done[self.name] = {"page_loads": self.page_loads, "clicks": self.clicks,
                            "budget": {"page_loads": page_loads, "clicks": clicks}}
        trail = "\n".join(self.steps)
        assert self.page_loads <= page_loads, (
            f"{self.name}: {self.page_loads} page loads, budget {page_loads}\n{trail}")
        assert self.clicks <= clicks, f"{self.name}: {self.clicks} clicks, budget {clicks}\n{trail}"


def logged_in_page(browser, base_url: str, user, **options):
    """A page whose browser carries a desk session for `user`: no login form, so no lock-out
    count, and no login in any journey's figures."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base_url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context.new_page()


def summary(results: dict[str, dict]) -> list[str]:
    width = max(len(name) for name in results)
    return [f"{name:<{width}}  {r['page_loads']:>3} page loads  {r['clicks']:>3} clicks"
            for name, r in results.items()]


@pytest.fixture(scope="session")
def journey_report(request):
    """Written once the session ends: var/journeys.json and a summary on the terminal."""
    yield
    if not _done:
        return
    earlier = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    results, ran = {**earlier, **_done}, dict(_done)
    # Each journey module registers this fixture anew: the first teardown reports them all.
    _done.clear()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    plugins = request.config.pluginmanager
    terminal, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if terminal is None or capture is None:
        return
    # A session fixture's teardown runs inside the last test's capture: step out of it.
    with capture.global_and_fixture_disabled():
        terminal.write_line("")
        terminal.write_line(f"Journeys run ({REPORT.relative_to(REPORT.parents[1])} has all):")
        for line in summary(ran):
            terminal.write_line("  " + line)


@pytest.fixture
def journey(journey_report):
    """journey(name, page) starts counting a journey on a page."""
    return lambda name, page: Journey(name, page)
