"""The photo library in real headless Chromium: two real photos dropped at once, each with its
progress bar; the focal point set by a click; no WCAG 2 A/AA violation on its screens."""

import pytest
from django.db import connections

from dateline.pictures.models import Photo

from ..conftest import require_shared
from ..newsroom.journeys import logged_in_page
from ..newsroom.test_desk_axe import axe_violations
from ..site.test_browser import AXE, record_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = "/desk/pictures/photo/"


@pytest.fixture
def editor(make_user):
    return make_user("Editor", "eddie")


def test_two_dropped_photos_each_show_progress_and_land_in_the_library(
    browser, live_server, editor
):
    photos = require_shared("corpus/photos")
    page = logged_in_page(browser, live_server.url, editor)
    record_csp_violations(page)
    connections.close_all()
    page.goto(live_server.url + LIST + "upload/")
    page.set_input_files("#photo-files", [photos / "rocket.jpg", photos / "hubble_deep_field.jpg"])
    done = page.locator(".photo-uploads li.photo-upload-ok")
    done.nth(1).wait_for(timeout=30_000)
    assert done.count() == 2
    bars = page.locator(".photo-uploads progress")
    assert [bars.nth(i).get_attribute("value") for i in range(2)] == ["100", "100"]
    assert page.locator(".photo-uploads").inner_text().count("Added to the library.") == 2
    # The same file again: already there, with the link to it.
    page.set_input_files("#photo-files", [photos / "rocket.jpg"])
    page.locator("li.photo-upload-ok", has_text="Already in the library.").wait_for()
    assert page.evaluate("window.cspViolations") == []
    page.goto(live_server.url + LIST)
    listed = page.locator("#result_list").inner_text()
    assert page.locator("#result_list tbody tr").count() == Photo.objects.count() == 2
    assert all(str(photo)[:40] in listed for photo in Photo.objects.all())


DROP = """([files]) => {
    const transfer = new DataTransfer();
    for (const [name, b64] of files) {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, {type: "image/png"}));
    }
    const zone = document.querySelector("[data-drop-zone]");
    for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true,
                                                cancelable: true}));
    }
}"""


def test_photos_dropped_on_the_zone_go_up_one_request_each(
    browser, live_server, editor
):
    import base64

    photos = require_shared("corpus/photos")
    files = [[name, base64.b64encode((photos / name).read_bytes()).decode()]
             for name in ("chelsea.png", "coffee.png")]
    page = logged_in_page(browser, live_server.url, editor)
    connections.close_all()
    page.goto(live_server.url + LIST + "upload/")
    requests = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    page.evaluate(DROP, [files])
    page.locator(".photo-uploads li.photo-upload-ok").nth(1).wait_for(timeout=30_000)
    assert sorted(Photo.objects.values_list("original_name", flat=True)) == [
        "chelsea.png", "coffee.png"]
    assert requests == [live_server.url + LIST + "upload.json"] * 2


def test_chosen_photos_go_up_once_however_upload_is_pressed(browser, live_server, editor):
    """Choosing a file sent it at once; a press of Upload while it went sent it again (two
    rows, one "Already in the library")."""
    photos = require_shared("corpus/photos")
    page = logged_in_page(browser, live_server.url, editor)
    connections.close_all()
    page.goto(live_server.url + LIST + "upload/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.set_input_files("#photo-files", [photos / "rocket.jpg"])
    page.evaluate("document.querySelector('form[data-upload-endpoint]').requestSubmit()")
    page.locator(".photo-uploads li.photo-upload-ok").first.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert page.locator(".photo-uploads li").count() == 1
    assert posts == [live_server.url + LIST + "upload.json"]


def test_a_refused_file_says_why_beside_it(browser, live_server, editor, tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_bytes(b"<svg onload='alert(1)'></svg>" * 20)
    page = logged_in_page(browser, live_server.url, editor)
    connections.close_all()
    page.goto(live_server.url + LIST + "upload/")
    page.set_input_files("#photo-files", [fake])
    refused = page.locator("li.photo-upload-refused", has_text="holiday.jpg")
    refused.wait_for(timeout=30_000)
    assert len(refused.locator(".photo-upload-error").inner_text()) > 10
    assert not Photo.objects.exists()


def _photo() -> Photo:
    return Photo.objects.create(sha256="a" * 64, format="jpeg", width=1600, height=900,
                                size=1000, original="originals/aa/a.jpeg", title="Harbour",
                                alt_text="Boats in the harbour at dawn")


def test_a_click_on_the_photo_sets_the_focal_point(browser, live_server, editor):
    photo = _photo()
    page = logged_in_page(browser, live_server.url, editor)
    record_csp_violations(page)
    connections.close_all()
    page.goto(f"{live_server.url}{LIST}{photo.pk}/change/")
    box = page.locator("[data-focal]")
    area = box.bounding_box()
    assert area["width"] / area["height"] == pytest.approx(16 / 9, rel=0.02)
    box.click(position={"x": area["width"] * 0.25, "y": area["height"] * 0.75})
    assert float(page.locator("#id_focal_x").input_value()) == pytest.approx(0.25, abs=0.01)
    assert float(page.locator("#id_focal_y").input_value()) == pytest.approx(0.75, abs=0.01)
    marker = page.locator(".focal-marker").bounding_box()
    assert marker["x"] + marker["width"] / 2 == pytest.approx(area["x"] + area["width"] * 0.25,
                                                              abs=3)
    # The keyboard way: the number fields move the marker too.
    page.locator("#id_focal_y").fill("0.1")
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    photo.refresh_from_db()
    assert photo.focal_x == pytest.approx(0.25, abs=0.01) and photo.focal_y == 0.1
    assert page.evaluate("window.cspViolations") == []


def test_the_library_screens_have_no_wcag_violation(browser, live_server, editor):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    photo = _photo()
    Photo.objects.create(sha256="b" * 64, format="png", width=512, height=512, size=1000,
                         original="originals/bb/b.png", title="Portrait", credit="NASA")
    page = logged_in_page(browser, live_server.url, editor, bypass_csp=True)
    connections.close_all()
    problems = {}
    for screen in [LIST, LIST + "?q=harbour", LIST + "upload/", f"{LIST}{photo.pk}/change/",
                   f"{LIST}{photo.pk}/delete/"]:
        answer = page.goto(live_server.url + screen)
        assert answer.status == 200, screen
        found = axe_violations(page)
        if found:
            problems[screen] = found
    assert problems == {}
