"""Which campaign a slot shows: weights, caps, dates, targeting, house ads."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from dateline.ads import choice
from dateline.ads.models import Placement
from dateline.newsroom.models import Tag
from dateline.readership import counting

pytestmark = pytest.mark.django_db


def picks(slot="top", n=2000, section=None, tags=frozenset(), seed=7):
    rng = random.Random(seed)
    # Nothing changes during the draws: the campaigns are read at the first and kept, as
    # between refreshes on a running site (the tests' setting reads them at every pick).
    with override_settings(DATELINE_ADS_REFRESH_SECONDS=3600):
        choice.forget()
        return Counter(getattr(choice.pick(slot, section, tags, rng=rng), "pk", None)
                       for _ in range(n))


def test_weights_share_the_slot(make_campaign):
    heavy = make_campaign("Heavy", weight=3)
    light = make_campaign("Light", weight=1)
    shown = picks(n=4000)
    assert set(shown) == {heavy.pk, light.pk}
    assert 2.6 < shown[heavy.pk] / shown[light.pk] < 3.4


def test_only_running_campaigns_within_their_dates(make_campaign):
    now = timezone.now()
    running = make_campaign("Now", starts_at=now - timedelta(days=1),
                            ends_at=now + timedelta(days=1))
    make_campaign("Ended", starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1))
    make_campaign("Later", starts_at=now + timedelta(hours=1), ends_at=now + timedelta(days=1))
    make_campaign("Paused", is_active=False)
    assert set(picks(n=200)) == {running.pk}
    # The table is read once; the time window is judged at each pick.
    assert choice.pick("top", now=now + timedelta(days=2)) is None


def test_slot_must_be_one_of_the_campaigns_placements(make_campaign):
    sidebar = make_campaign("Sidebar", slots=("sidebar",))
    assert choice.pick("top") is None
    assert choice.pick("sidebar").pk == sidebar.pk


def test_an_inactive_placement_shows_nothing(make_campaign):
    make_campaign(slots=("top",))
    Placement.objects.filter(slot="top").update(is_active=False)
    choice.forget()
    assert choice.pick("top") is None


def test_section_targeting_includes_subsections(make_campaign, make_section):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    sport = make_section("Sport")
    aimed = make_campaign("World only", sections=[world])
    assert choice.pick("top", russia.pk).pk == aimed.pk
    assert choice.pick("top", world.pk).pk == aimed.pk
    assert choice.pick("top", sport.pk) is None
    assert choice.pick("top") is None  # a page of no section: home, search


def test_tag_targeting_and_run_of_site(make_campaign, make_tag):
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    paris = make_tag("Paris", Tag.Kind.PLACE)
    aimed = make_campaign("Moscow", tags=[moscow])
    everywhere = make_campaign("Everywhere")
    assert set(picks(n=300, tags=frozenset({moscow.pk}))) == {aimed.pk, everywhere.pk}
    assert set(picks(n=300, tags=frozenset({paris.pk}))) == {everywhere.pk}


# Written by counting.flush(), which on PostgreSQL cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_a_campaign_at_its_cap_stops(make_campaign):
    capped = make_campaign("Capped", impression_cap=3)
    other = make_campaign("Other")
    counting.count(choice.IMPRESSION, capped.pk, 2)
    counting.flush()
    assert capped.pk in picks(n=200)
    counting.count(choice.IMPRESSION, capped.pk, 1)
    counting.flush()
    assert set(picks(n=200)) == {other.pk}


# Written by counting.flush(), which on PostgreSQL cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_house_ads_fill_only_what_no_paid_campaign_fits(make_campaign, make_section):
    sport = make_section("Sport")
    world = make_section("World")
    house = make_campaign("Subscribe", is_house=True, weight=1000)
    paid = make_campaign("Sport shop", sections=[sport])
    assert set(picks(n=300, section=sport.pk)) == {paid.pk}
    assert set(picks(n=300, section=world.pk)) == {house.pk}
    capped = make_campaign("Capped everywhere", impression_cap=1)
    counting.count(choice.IMPRESSION, capped.pk)
    counting.flush()
    assert set(picks(n=100, section=world.pk)) == {house.pk}


def test_nothing_at_all_is_none(db):
    assert choice.pick("listing") is None


def test_a_change_saved_here_is_seen_at_the_next_pick(make_campaign, settings):
    settings.DATELINE_ADS_REFRESH_SECONDS = 3600
    first = make_campaign("First")
    assert choice.pick("top").pk == first.pk
    first.is_active = False
    first.save()
    assert choice.pick("top") is None


def test_a_change_is_seen_at_once_even_on_a_machine_booted_seconds_ago(make_campaign, settings,
                                                                        monkeypatch):
    """The table's age is read on time.monotonic(), which counts from the boot: a change that
    set its reading time to 0 was not seen for the refresh's seconds after a boot."""
    settings.DATELINE_ADS_REFRESH_SECONDS = 3600
    monkeypatch.setattr(choice.time, "monotonic", lambda: 10.0)  # booted 10 s ago
    first = make_campaign("First")
    assert choice.pick("top").pk == first.pk
    first.is_active = False
    first.save()
    assert choice.pick("top") is None
