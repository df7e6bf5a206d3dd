"""The newsletter's slot: one campaign chosen on the server for an edition's whole send."""

from datetime import date

import pytest
from django.utils.html import escape

from dateline.ads.mail_links import mail_click_query
from dateline.edition.assembly import build_edition
from dateline.edition.models import Subscriber
from dateline.edition.newsletter import EditionMail
from dateline.edition.sending import SendingStopped, send_edition
from dateline.readership import counting
from dateline.readership.models import Tally
from tests.edition.test_sending import DAY, subscribers

pytestmark = pytest.mark.django_db


# Written by counting.flush(), which on PostgreSQL cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_the_edition_mail_carries_the_newsletter_campaign(make_campaign, settings):
    settings.DATELINE_SITE_URL = "https://news.example"
    campaign = make_campaign("Weekly", slots=("newsletter",), html="<p>Dateline Weekly</p>")
    make_campaign("Site only", slots=("top",), html="<p>Not in mail</p>")
    mail = EditionMail(build_edition(date(2026, 11, 27)))
    readers = [Subscriber.objects.create(email=f"r{i}@example.org") for i in range(3)]
    messages = [mail.to(r) for r in readers]
    html = messages[0].alternatives[0][0]
    assert "Advertisement" in html and "<p>Dateline Weekly</p>" in html
    link = f"https://news.example/ads/click/{campaign.pk}?{mail_click_query(campaign.pk)}"
    assert f'href="{escape(link)}"' in html
    assert "Not in mail" not in html
    assert link in messages[0].body
    # Each mail built with it is one impression: delivered, not read (no tracking pixel).
    assert "<img" not in html.split("Advertisement")[1].split("</a>")[0]
    counting.flush()
    assert not Tally.objects.exists()  # built is not sent: counted once the server takes it
    for _ in messages:
        mail.delivered()
    counting.flush()
    assert Tally.objects.get(kind="impression", key=str(campaign.pk)).count == 3


def impressions(campaign) -> int:
    counting.flush()
    found = Tally.objects.filter(kind="impression", key=str(campaign.pk)).first()
    return found.count if found else 0


@pytest.mark.django_db(transaction=True)
def test_only_mails_the_server_took_count_an_impression_however_often_the_send_runs(
        make_campaign, inbox):
    """A mailbox the server refuses is tried again on every rerun, and a send stopped by a
    server that went away has built a copy it never delivered: neither is an impression."""
    campaign = make_campaign("Weekly", slots=("newsletter",))
    readers = subscribers(6)
    inbox.refused = {readers[1].email}
    edition = build_edition(DAY)
    inbox.closing_after = 2
    with pytest.raises(SendingStopped):
        send_edition(edition, batch_size=4)
    assert impressions(campaign) == 2 == len(inbox.envelopes)
    inbox.closing_after = None
    assert send_edition(edition) == 3
    assert send_edition(edition) == 0  # the refused mailbox tried once more, refused again
    assert impressions(campaign) == 5 == len(inbox.envelopes)


def test_the_text_part_reads_the_creative_as_words(make_campaign, settings):
    """A mail program shows the text part as it is: a block's end parts words, and the
    sanitised creative's entities read as the characters they stand for."""
    settings.DATELINE_SITE_URL = "https://news.example"
    campaign = make_campaign("Sale", slots=("newsletter",),
                             html="<h2>Spring sale</h2><p>All shoes<br>half price</p>"
                                  "<p>Fish &amp; Chips <em>today</em></p>")
    body = EditionMail(build_edition(date(2026, 11, 27))).to(
        Subscriber.objects.create(email="a@example.org")).body
    assert (f"Advertisement: Spring sale All shoes half price Fish & Chips today "
            f"https://news.example/ads/click/{campaign.pk}?{mail_click_query(campaign.pk)}") in body


def test_no_campaign_no_slot(db):
    mail = EditionMail(build_edition(date(2026, 11, 27)))
    message = mail.to(Subscriber.objects.create(email="a@example.org"))
    assert "Advertisement" not in message.alternatives[0][0]
    counting.flush()
    assert not Tally.objects.exists()


def test_the_creatives_own_images_are_named_by_absolute_url_in_the_mail(make_campaign, settings):
    """A mail has no page to resolve "/media/…" against: the site's address goes before it."""
    settings.DATELINE_SITE_URL = "https://news.example"
    make_campaign("Banner", slots=("newsletter",),
                  html='<p>Offer <img src="/media/ads/banner.png" alt="Banner"></p>')
    mail = EditionMail(build_edition(date(2026, 11, 27)))
    html = mail.to(Subscriber.objects.create(email="a@example.org")).alternatives[0][0]
    assert '<img src="https://news.example/media/ads/banner.png" alt="Banner">' in html
    assert 'src="/media' not in html


@pytest.mark.django_db(transaction=True)
def test_a_newsletter_campaign_stops_at_its_cap_within_a_send(make_campaign, inbox):
    """The campaign was chosen once for the send and every copy counted: a cap with ten
    impressions left was billed for the whole list."""
    campaign = make_campaign("Weekly", slots=("newsletter",), html="<p>Buy the weekly</p>",
                             impression_cap=3)
    counting.count("impression", campaign.pk)  # one already shown on an earlier send
    counting.flush()
    subscribers(5)
    assert send_edition(build_edition(DAY)) == 5
    carrying = [m for m in inbox.messages
                if "Buy the weekly" in m.get_body(("html",)).get_content()]
    assert len(carrying) == 2 and impressions(campaign) == 3
    # The rest go without it, in both parts: no box, no click link.
    for message in inbox.messages[2:]:
        for part in ("plain", "html"):
            assert "Advertisement" not in message.get_body((part,)).get_content()
    assert [m["To"] for m in carrying] == [m["To"] for m in inbox.messages[:2]]
