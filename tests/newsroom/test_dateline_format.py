from datetime import UTC, datetime

from django.test import override_settings
from django.utils import timezone

from dateline.site.templatetags.dateline import house_dateline


def test_house_dateline_uses_the_site_time_zone():
    moment = datetime(2024, 12, 11, 7, 15, tzinfo=UTC)
    assert house_dateline(moment) == "December 11, 2024, Wednesday // 09:15"


@override_settings(TIME_ZONE="America/New_York")
def test_house_dateline_follows_the_setting():
    timezone.deactivate()
    moment = datetime(2024, 7, 1, 3, 5, tzinfo=UTC)
    assert house_dateline(moment) == "June 30, 2024, Sunday // 23:05"


def test_house_dateline_of_nothing_is_empty():
    assert house_dateline(None) == ""
