from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.ads.models import Campaign, Placement
from dateline.readership import counting

BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")


@pytest.fixture(autouse=True)
def empty_batch():
    """Nothing counted in memory before or after a test."""
    counting._batch.clear()
    yield
    counting._batch.clear()


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
