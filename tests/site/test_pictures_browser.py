"""In real Chromium: the article page with its photos passes axe, loads its pictures within the
site's CSP, and nothing on it moves when they arrive."""

import time

import pytest

from dateline.newsroom.models import Tag
from dateline.pictures.models import StoryPhoto

from .test_browser import axe_violations, record_csp_violations
from .test_pictures_pages import corpus_photo, use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Sums the page's layout shifts (CLS without the session windows) from the very first paint.
LAYOUT_SHIFTS = """
window.layoutShift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.layoutShift += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""
# Every picture loaded, then two frames so the observer has reported the last paint.
SETTLED = """() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))
  .then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))
  .then(() => window.layoutShift)"""


@pytest.fixture
def photo_story(make_section, make_article, make_tag):
    world = make_section("World", position=1)
    place = make_tag("Sofia", Tag.Kind.PLACE)
    harbour = corpus_photo("IPTC-PhotometadataRef-Std2017.1.jpg",
                           alt_text="Waves break over a harbour wall")
    rocket = corpus_photo("rocket.jpg", alt_text="A rocket rises from its pad")
    paragraphs = "".join(f"<p>Paragraph {i} of the story, with a few words.</p>"
                         for i in range(1, 9))
    story = make_article("Storm reaches the coast", section=world, tags=[place],
                         body=paragraphs, is_top_story=True)
    use(story, harbour, caption="Waves over the harbour wall", credit="Ann Lee/Dateline")
    use(story, rocket, StoryPhoto.Role.BODY, after_paragraph=3, caption="The launch")
    for i in range(4):
        use(make_article(f"Other story {i}", section=world, tags=[place]),
            rocket if i % 2 else harbour)
    return story


def test_pages_with_photos_pass_axe(browser, live_server, photo_story):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    for path in (photo_story.get_absolute_url(), "/", "/section/world/", "/places/sofia/"):
        page.goto(live_server.url + path)
        assert page.locator("picture img").count() >= 1, path
        violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
        problems = [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
                    for v in violations]
        assert problems == [], f"{path}: {problems}"


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_article_does_not_shift_when_its_photos_arrive(
    browser, live_server, photo_story, viewport
):
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    record_csp_violations(page)
    page.add_init_script(LAYOUT_SHIFTS)

    def late(route):
        # The text is painted well before any picture: room not kept for one would show.
        time.sleep(0.4)
        route.continue_()

    page.route("**/media/pictures/**", late)
    page.goto(live_server.url + photo_story.get_absolute_url(), wait_until="load")
    shift = page.evaluate(SETTLED)
    loaded = page.evaluate("[...document.querySelectorAll('.story picture img')]"
                           ".map(i => [i.currentSrc, i.naturalWidth])")
    assert len(loaded) == 2 and all(src.endswith((".avif", ".webp", ".jpg")) and width > 0
                                    for src, width in loaded), loaded
    assert shift < 0.01
    assert page.evaluate("window.cspViolations") == []
    lead = page.locator(".story-photo-lead img")
    assert lead.get_attribute("fetchpriority") == "high"
    # The lead photo fills the story's column and keeps its 16:9 shape.
    box = lead.bounding_box()
    assert box["width"] / box["height"] == pytest.approx(16 / 9, rel=0.02)
