"""Times on the desk's default date-time fields read as the rest of the desk writes them."""

from datetime import UTC, datetime

from django.template import Context, Template
from django.utils import timezone


def test_a_date_time_reads_on_the_24_hour_clock_with_the_sites_zone():
    """Django's en_GB wrote "2 Dec 2026, 3:48 p.m." in the lists of reports and editions."""
    moment = datetime(2026, 12, 2, 13, 48, tzinfo=UTC)  # 15:48 in Sofia, in winter
    with timezone.override("Europe/Sofia"):
        shown = Template("{{ moment }}|{{ moment|time }}").render(Context({"moment": moment}))
    assert shown == "2 Dec 2026, 15:48 EET|15:48"
