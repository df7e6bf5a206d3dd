from datetime import UTC, datetime

from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone

from dateline.newsroom.datelines import house_dateline


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


def test_the_sites_filter_writes_the_newsrooms_dateline():
    moment = datetime(2024, 12, 11, 7, 15, tzinfo=UTC)
    page = Template("{% load dateline %}{{ moment|house_dateline }}")
    assert page.render(Context({"moment": moment})) == "December 11, 2024, Wednesday // 09:15"
