"""The public endpoints: /ads/pick, /ads/click and /ads/frame, including hostile input."""

import pytest
from django.urls import reverse

from dateline.ads import choice
from dateline.ads.models import Placement
from dateline.readership import counting
from dateline.readership.models import Tally

from .conftest import BROWSER

pytestmark = pytest.mark.django_db
PICK = "/ads/pick"


def test_pick_answers_the_creative_and_its_beacon(client, make_campaign):
    campaign = make_campaign(html="<p>Read <strong>Dateline</strong> Weekly</p>")
    response = client.get(PICK, {"slot": "top"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"  # a CDN or the page cache never keeps it
    assert not response.cookies
    ad = response.json()["ad"]
    assert ad["campaign"] == campaign.pk
    assert ad["impression"] == f"/r/impression/{campaign.pk}"
    assert f'href="/ads/click/{campaign.pk}"' in ad["html"]
    assert "<strong>Dateline</strong>" in ad["html"]


def test_pick_with_nothing_to_show(client, db):
    assert client.get(PICK, {"slot": "sidebar"}).json() == {"slot": "sidebar", "ad": None}


@pytest.mark.parametrize("query", [
    {}, {"slot": "nowhere"}, {"slot": "top" * 300}, {"slot": "top", "section": "x"},
    {"slot": "top", "section": "1,2"}, {"slot": "top", "section": "-1"},
    {"slot": "top", "section": "99999999999999999999999999"},
    {"slot": "top", "tags": ",".join(["1"] * 31)}, {"slot": "top", "tags": "1;DROP"},
    {"slot": "top", "tags": "9" * 500}, {"slot": ["top", "\x00"]},
])
def test_pick_refuses_hostile_queries_with_400(client, query):
    response = client.get(PICK, query)
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"


def test_pick_refuses_other_methods(client, db):
    assert client.post(PICK, {"slot": "top"}).status_code == 405


def test_pick_of_a_missing_section_shows_run_of_site(client, make_campaign):
    campaign = make_campaign()
    answer = client.get(PICK, {"slot": "top", "section": "999999", "tags": "5,6"}).json()
    assert answer["ad"]["campaign"] == campaign.pk


# Written by counting.flush(), which on PostgreSQL cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_click_counts_and_redirects(client, make_campaign):
    campaign = make_campaign(link="https://advertiser.example/offer?x=1")
    response = client.get(f"/ads/click/{campaign.pk}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302
    assert response["Location"] == "https://advertiser.example/offer?x=1"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    counting.flush()
    row = Tally.objects.get(kind="click")
    assert (row.key, row.count) == (str(campaign.pk), 1)


FOLLOWED = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
            "Sec-Fetch-Site": "same-origin", "Sec-Fetch-User": "?1"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("changed", "counted"), [
    ({}, 1),
    ({"Sec-Fetch-Site": "same-site"}, 1),  # the site on www., its ads' counter on the apex
    # An <img src="/ads/click/2"> in a creative, or on another site: the browser fetches it.
    ({"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}, 0),
    ({"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image", "Sec-Fetch-Site": "cross-site"},
     0),
    ({"Sec-Fetch-Site": "cross-site"}, 0),  # a link to it on another site
    ({"Sec-Fetch-Site": "none"}, 0),  # typed, or a bookmark
    ({"Sec-Fetch-Dest": "iframe"}, 0),  # a frame of another page
    ({"Sec-Fetch-User": None}, 0),  # a navigation no reader made (a script's redirect)
    ({"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}, 0),  # fetch() from a page
])
def test_only_a_reader_following_the_ad_counts_a_click(client, make_campaign, changed,
                                                       counted):
    campaign = make_campaign(link="https://advertiser.example/offer")
    headers = {k: v for k, v in {**FOLLOWED, **changed}.items() if v is not None}
    response = client.get(f"/ads/click/{campaign.pk}",
                          headers={"User-Agent": BROWSER, **headers})
    assert response.status_code == 302  # taken on, counted or not
    assert response["Location"] == "https://advertiser.example/offer"
    counting.flush()
    assert sum(Tally.objects.filter(kind="click").values_list("count", flat=True)) == counted


@pytest.mark.django_db(transaction=True)
def test_one_senders_repeated_clicks_count_a_few_times_only(client, make_campaign, settings):
    """A loop of GETs on /ads/click was billed to the advertiser, every one of 200."""
    settings.DATELINE_READERSHIP_REPEATS = 3
    campaign = make_campaign()
    url = f"/ads/click/{campaign.pk}"
    for _ in range(20):
        assert client.get(url, headers={"User-Agent": BROWSER}).status_code == 302
    # Another reader's click still counts.
    client.get(url, headers={"User-Agent": BROWSER}, REMOTE_ADDR="192.0.2.9")
    counting.flush()
    assert Tally.objects.get(kind="click").count == 4
    # Counted where every worker looks (the rate-limit store), not in this process's memory:
    # with two workers the views' repeats let twice as many through, and a bill may not.
    from django.test import RequestFactory

    from dateline.base.hashes import sender_hash
    from dateline.base.ratelimits import RateLimit
    from dateline.readership import repeats

    repeats.forget()
    sender = sender_hash(RequestFactory().get(url))
    assert RateLimit("ads.click", 3, 1800).reached(f"{sender}:{campaign.pk}") is not None
    client.get(url, headers={"User-Agent": BROWSER})
    counting.flush()
    assert Tally.objects.get(kind="click").count == 4


@pytest.mark.django_db(transaction=True)
def test_a_campaign_not_running_takes_the_reader_on_but_bills_nobody(client, make_campaign):
    """A paused, ended or not yet started campaign's click was counted, for as long as
    anyone followed an old page's ad."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    campaigns = [make_campaign("Paused", is_active=False),
                 make_campaign("Ended", ends_at=now - timedelta(hours=1)),
                 make_campaign("Tomorrow", starts_at=now + timedelta(days=1))]
    for campaign in campaigns:
        answer = client.get(f"/ads/click/{campaign.pk}", headers={"User-Agent": BROWSER})
        assert (answer.status_code, answer["Location"]) == (302, campaign.link)
    counting.flush()
    assert not Tally.objects.exists()


def test_robots_and_head_requests_are_not_counted(client, make_campaign):
    campaign = make_campaign()
    url = f"/ads/click/{campaign.pk}"
    assert client.get(url, headers={"User-Agent": "Googlebot/2.1"}).status_code == 302
    assert client.get(url).status_code == 302  # no user agent at all
    assert client.head(url, headers={"User-Agent": BROWSER}).status_code == 302
    counting.flush()
    assert not Tally.objects.exists()


@pytest.mark.parametrize("path", [
    "/ads/click/0", "/ads/click/424242", "/ads/click/" + "9" * 40, "/ads/click/" + "9" * 19,
    "/ads/click/-1", "/ads/click/abc", "/ads/click/1%00",
])
def test_click_on_no_campaign_is_404(client, db, path):
    assert client.get(path, headers={"User-Agent": BROWSER}).status_code == 404
    counting.flush()
    assert not Tally.objects.exists()


def test_third_party_tag_goes_into_a_sandboxed_frame(client, make_campaign):
    make_campaign(slots=("sidebar",))
    Placement.objects.update_or_create(slot="sidebar", defaults={
        "third_party_tag": '<script src="https://ads.example.net/tag.js"></script>',
        "third_party_origins": "https://ads.example.net"})
    answer = client.get(PICK, {"slot": "sidebar"}).json()
    assert answer == {"slot": "sidebar", "ad": None, "frame": "/ads/frame/sidebar",
                      "width": 300, "height": 250}

    frame = client.get(answer["frame"])
    assert frame.status_code == 200
    assert b"https://ads.example.net/tag.js" in frame.content
    policy = frame["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    # Sandboxed by its own header too, never with allow-same-origin: an opaque origin.
    assert "allow-scripts" in directives["sandbox"]
    assert "allow-same-origin" not in policy and "allow-top-navigation" not in policy
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'unsafe-inline'", "https://ads.example.net"]
    assert directives["connect-src"] == ["https://ads.example.net"]
    assert "'self'" not in directives["script-src"] + directives["img-src"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["form-action"] == ["'none'"]
    # The site's own policy (script-src 'self', frame-ancestors 'none') did not replace it.
    assert "frame-ancestors 'none'" not in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert frame["Cache-Control"] == "no-store"


def test_a_frame_without_origins_loads_nothing(client, db):
    Placement.objects.update_or_create(slot="top", defaults={
        "third_party_tag": "<p>Inline only</p>"})
    policy = client.get("/ads/frame/top")["Content-Security-Policy"]
    assert "connect-src 'none'" in policy and "frame-src 'none'" in policy


@pytest.mark.parametrize("path", ["/ads/frame/top", "/ads/frame/nowhere", "/ads/frame/x" * 30])
def test_frame_of_a_slot_without_a_tag_is_404(client, db, path):
    assert client.get(path).status_code == 404


def test_placement_origins_must_be_https_origins(db):
    from django.core.exceptions import ValidationError

    for bad in ("http://ads.example.net", "https://ads.example.net/path", "'unsafe-eval'",
                "https://a.example; script-src *",
                # One word, no space: a directive of its own in the frame's policy.
                "https://x.example;frame-ancestors", "https://x.example,https://y.example",
                "https://x.example:443;sandbox", "https://*", "https://x.example:", "https://"):
        with pytest.raises(ValidationError):
            Placement(slot="top", third_party_origins=bad).full_clean(validate_unique=False)
    for good in ("https://ads.example.net", "https://*.example.net https://cdn.example:8443"):
        Placement(slot="top", third_party_origins=good).full_clean(validate_unique=False)


def test_a_frame_s_policy_names_only_origins_whatever_a_row_holds(client, db):
    """A row saved before the check (or by a script) held "https://x.example;frame-ancestors
    https://evil.example": its directive came first in the frame's CSP, and won."""
    Placement.objects.update_or_create(slot="sidebar", defaults={
        "third_party_tag": "<p>Partner</p>", "is_active": True,
        "third_party_origins": "https://ads.example.net "
                               "https://x.example;frame-ancestors https://evil.example"})
    policy = client.get("/ads/frame/sidebar")["Content-Security-Policy"]
    assert "x.example" not in policy and "https://ads.example.net" in policy
    directives = [d.strip().split() for d in policy.split(";")]
    assert [d for d in directives if d[0] == "frame-ancestors"] == [["frame-ancestors", "'self'"]]


def test_urls_reverse(db):
    assert reverse("ads:pick") == PICK
    assert choice.IMPRESSION == "impression"


def test_an_image_creative_from_the_photo_library(client, make_campaign):
    from ..site.test_pictures_pages import corpus_photo

    photo = corpus_photo("rocket.jpg", alt_text="A rocket rises from its pad")
    campaign = make_campaign(html="", photo=photo, alt_text="Space museum: open every day")
    html = client.get(PICK, {"slot": "top"}).json()["ad"]["html"]
    assert html.startswith(f'<a class="ad-link" href="/ads/click/{campaign.pk}"')
    assert "<picture>" in html and 'alt="Space museum: open every day"' in html
    assert 'loading="lazy"' in html and "/media/" in html  # a rendition, never the original


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("changed", "signed", "counted"), [
    ({"Sec-Fetch-Site": "cross-site"}, True, 1),  # webmail: another site
    ({"Sec-Fetch-Site": "none"}, True, 1),  # a mail program opened the browser
    ({"Sec-Fetch-Site": "cross-site"}, False, 0),  # the plain link on another site
    ({"Sec-Fetch-Site": "cross-site"}, "another campaign's", 0),
    ({"Sec-Fetch-Site": "cross-site"}, "garbled", 0),
    # The signed link in an <img> on a page, or fetched by a script: no reader followed it.
    ({"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image", "Sec-Fetch-Site": "cross-site"},
     True, 0),
    ({"Sec-Fetch-Site": "cross-site", "Sec-Fetch-User": None}, True, 0),
])
def test_the_newsletters_signed_link_counts_a_reader_arriving_from_a_mail(
        client, make_campaign, changed, signed, counted):
    from dateline.ads.mail_links import mail_click_query

    campaign = make_campaign(link="https://advertiser.example/offer")
    other = make_campaign("Other")
    query = {True: mail_click_query(campaign.pk), False: "",
             "another campaign's": mail_click_query(other.pk),
             "garbled": mail_click_query(campaign.pk)[:-3] + "xyz"}[signed]
    headers = {k: v for k, v in {**FOLLOWED, **changed}.items() if v is not None}
    response = client.get(f"/ads/click/{campaign.pk}?{query}",
                          headers={"User-Agent": BROWSER, **headers})
    assert response.status_code == 302
    assert response["Location"] == "https://advertiser.example/offer"
    counting.flush()
    assert sum(Tally.objects.filter(kind="click").values_list("count", flat=True)) == counted
