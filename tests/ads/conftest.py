from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.ads.models import Campaign, Placement

# A real SMTP server on loopback, for the newsletter's sends.
from tests.edition.test_sending import inbox  # noqa: F401

# The readership tests' reader's browser, and their fixture that empties the counting batch
# around each test (autouse here too: ads count impressions and clicks through it).
from tests.readership.conftest import BROWSER, empty_batch  # noqa: F401


@pytest.fixture
def make_campaign(db):
    def make(name: str = "Campaign", *, slots=("top",), html: str = "<p>Buy our paper</p>",
             link: str = "https://advertiser.example/offer", sections=(), tags=(),
             **fields) -> Campaign:
        fields.setdefault("starts_at", timezone.now() - timedelta(hours=1))
        campaign = Campaign.objects.create(name=name, html=html, link=link, **fields)
        campaign.placements.set(Placement.objects.get_or_create(slot=s)[0] for s in slots)
        campaign.sections.set(sections)
        campaign.tags.set(tags)
        return campaign

    return make
