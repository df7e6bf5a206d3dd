"""The newsletter's slot: one campaign chosen on the server for an edition's whole send."""

from datetime import date

import pytest

from dateline.edition.assembly import build_edition
from dateline.edition.models import Subscriber
from dateline.edition.newsletter import EditionMail
from dateline.readership import counting
from dateline.readership.models import Tally

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
    assert f'href="https://news.example/ads/click/{campaign.pk}"' in html
    assert "Not in mail" not in html
    assert f"https://news.example/ads/click/{campaign.pk}" in messages[0].body
    # Each mail built with it is one impression: delivered, not read (no tracking pixel).
    assert "<img" not in html.split("Advertisement")[1].split("</a>")[0]
    counting.flush()
    assert Tally.objects.get(kind="impression", key=str(campaign.pk)).count == 3


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
