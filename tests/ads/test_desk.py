"""Campaigns on the desk: the form with its preview, and the report as chart, table and CSV."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User

from dateline.ads.models import Campaign, Placement
from dateline.readership.models import Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(desk_client):
    user = User.objects.create_superuser("ads-manager", "ads@example.org", "pw-for-tests")
    return desk_client(user)


def test_a_campaign_is_made_on_the_desk_and_previewed(manager):
    top = Placement.objects.get_or_create(slot="top")[0]
    answer = manager.post("/desk/ads/campaign/add/", {
        "name": "Spring sale", "html": "<p>Spring <em>sale</em></p><script>x()</script>",
        "link": "https://shop.example/spring", "placements": [top.pk],
        "starts_at_0": "2026-11-01", "starts_at_1": "08:00", "weight": "2",
        "impression_cap": "1000", "is_active": "on",
    })
    assert answer.status_code == 302, answer.content.decode()[:2000]
    campaign = Campaign.objects.get(name="Spring sale")
    assert campaign.html == "<p>Spring <em>sale</em></p>"
    page = manager.get(f"/desk/ads/campaign/{campaign.pk}/change/").content.decode()
    assert '<p class="ad-label">Advertisement</p>' in page
    assert "<p>Spring <em>sale</em></p>" in page
    listing = manager.get("/desk/ads/campaign/").content.decode()
    assert "running" in listing and f"/desk/ads/campaign/{campaign.pk}/report/" in listing


def test_a_campaign_without_a_creative_is_refused_with_the_reason(manager):
    top = Placement.objects.get_or_create(slot="top")[0]
    answer = manager.post("/desk/ads/campaign/add/", {
        "name": "Empty", "link": "https://shop.example/", "placements": [top.pk],
        "starts_at_0": "2026-11-01", "starts_at_1": "08:00", "weight": "1",
    })
    assert answer.status_code == 200
    assert "either a photo or an HTML creative" in answer.content.decode()


def test_the_report_gives_impressions_clicks_and_ctr_per_day(manager, make_campaign, settings):
    settings.TIME_ZONE = "UTC"
    campaign = make_campaign(starts_at=datetime(2026, 10, 31, tzinfo=UTC))
    other = make_campaign("Other", starts_at=datetime(2026, 10, 31, tzinfo=UTC))
    rows = [("impression", campaign, 1, 10, 400), ("impression", campaign, 1, 14, 600),
            ("click", campaign, 1, 14, 15), ("impression", campaign, 3, 9, 200),
            ("impression", other, 1, 10, 9999)]
    for kind, c, day, hour, n in rows:
        Tally.objects.create(kind=kind, key=str(c.pk), hour=datetime(2026, 11, day, hour,
                                                                      tzinfo=UTC), count=n)
    page = manager.get(f"/desk/ads/campaign/{campaign.pk}/report/").content.decode()
    assert "<td>1000</td><td>15</td><td>1.50 %</td>" in page
    assert "2026-11-02</th><td>0</td><td>0</td><td>\u2013</td>" in page  # a day without counts
    assert "<td>1200</td><td>15</td><td>1.25 %</td>" in page  # the totals
    assert "9999" not in page
    assert f'src="/desk/ads/campaign/{campaign.pk}/report/chart.svg"' in page

    csv = manager.get(f"/desk/ads/campaign/{campaign.pk}/report/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines() == [
        "date,impressions,clicks,ctr_percent", "2026-11-01,1000,15,1.50",
        "2026-11-02,0,0,", "2026-11-03,200,0,0.00"]

    chart = manager.get(f"/desk/ads/campaign/{campaign.pk}/report/chart.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    assert "<svg" in svg and "2026-11-03" in svg and "Impressions" in svg  # shown as an <img>


def test_the_report_counts_only_the_hours_the_campaign_ran(manager, make_campaign, settings):
    """Beacons POSTed for a campaign after its end (no page showed it) were billed."""
    settings.TIME_ZONE = "UTC"
    campaign = make_campaign(starts_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
                             ends_at=datetime(2026, 11, 1, 16, 30, tzinfo=UTC))
    for hour, n in ((8, 7), (9, 100), (16, 50), (17, 5000), (23, 5000)):
        Tally.objects.create(kind="impression", key=str(campaign.pk),
                             hour=datetime(2026, 11, 1, hour, tzinfo=UTC), count=n)
    Tally.objects.create(kind="impression", key=str(campaign.pk),
                         hour=datetime(2026, 11, 2, 10, tzinfo=UTC), count=5000)
    csv = manager.get(f"/desk/ads/campaign/{campaign.pk}/report/?format=csv").content.decode()
    assert csv.splitlines() == ["date,impressions,clicks,ctr_percent", "2026-11-01,150,0,0.00"]


def test_the_report_is_for_the_desk_only(client, make_user, desk_client, make_campaign):
    campaign = make_campaign()
    url = f"/desk/ads/campaign/{campaign.pk}/report/"
    assert client.get(url).status_code == 302  # to the desk's login
    assert desk_client(make_user("Reporter")).get(url).status_code == 403
    assert desk_client(make_user("Reporter")).get(url + "chart.svg").status_code == 403


def test_editors_read_reports_and_the_chief_editor_runs_campaigns(make_user, desk_client,
                                                                 make_campaign):
    campaign = make_campaign()
    editor = desk_client(make_user("Editor"))
    assert editor.get(f"/desk/ads/campaign/{campaign.pk}/report/").status_code == 200
    assert editor.get("/desk/ads/campaign/add/").status_code == 403
    chief = make_user("Chief editor")
    assert chief.has_perms(["ads.add_campaign", "ads.change_campaign", "ads.change_placement"])


def test_a_campaigns_image_is_changed_only_by_those_who_run_campaigns(
        client, make_user, make_campaign):
    """A contributor rewrote the alt text of a running ad's photo (no story used it), and
    every slot showed theirs, with no review."""
    from ..pictures.test_desk_library import _form, make_photo

    photo = make_photo("Museum", alt_text="A rocket in the museum hall")
    make_campaign(html="", photo=photo)
    page = f"/desk/pictures/photo/{photo.pk}/change/"
    for role in ("Contributor", "Editor"):
        client.force_login(make_user(role))
        assert client.post(page, _form(photo, alt_text="Changed")).status_code == 403
    photo.refresh_from_db()
    assert photo.alt_text == "A rocket in the museum hall"
    client.force_login(make_user("Chief editor"))
    assert client.post(page, _form(photo, alt_text="A rocket, 1969")).status_code == 302
    photo.refresh_from_db()
    assert photo.alt_text == "A rocket, 1969"
    # A photo no campaign shows is the library's, as before.
    other = make_photo("Harbour", alt_text="Boats")
    client.force_login(make_user("Contributor"))
    answer = client.post(f"/desk/pictures/photo/{other.pk}/change/",
                         _form(other, alt_text="Boats at dawn"))
    assert answer.status_code == 302


def test_a_campaigns_image_is_not_deleted_and_the_page_says_which_campaign(
        client, make_user, make_campaign):
    """The chief editor's delete of a campaign's photo said "Not deleted: ." and "deleted
    successfully" together, and kept it: only stories were named as keeping a photo."""
    from ..pictures.test_desk_library import make_photo

    photo = make_photo("Museum", alt_text="A rocket in the museum hall")
    make_campaign("Space museum", html="", photo=photo)
    client.force_login(make_user("Chief editor"))
    asked = client.get(f"/desk/pictures/photo/{photo.pk}/delete/").content.decode()
    assert "the campaign “Space museum” shows it" in asked
    answer = client.post(f"/desk/pictures/photo/{photo.pk}/delete/", {"post": "yes"},
                         follow=True)
    shown = answer.content.decode()
    assert "deleted successfully" not in shown
    assert photo.__class__.objects.filter(pk=photo.pk).exists()
