"""The date rules: every outlet's time is put in UTC with its offset kept, and judged."""

from datetime import UTC, datetime, timedelta

import pytest

from dateline.ingest.parsers import parse
from dateline.ingest.parsers.dates import (
    BEFORE_1990,
    IN_FUTURE,
    NO_ZONE,
    UNREADABLE,
    judge,
)

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("written", "utc", "offset"), [
    # RFC 822 / 1123, as RSS writes them
    ("Tue, 10 Jun 2025 04:00:00 GMT", datetime(2025, 6, 10, 4, 0), "+00:00"),
    ("Tue, 10 Jun 2025 04:00:00 +0100", datetime(2025, 6, 10, 3, 0), "+01:00"),
    ("Tue, 10 Jun 2025 04:00:00 -0330", datetime(2025, 6, 10, 7, 30), "-03:30"),
    ("10 Jun 2025 04:00 EST", datetime(2025, 6, 10, 9, 0), "-05:00"),
    ("Tue, 10 Jun 2025 04:00:00 PDT", datetime(2025, 6, 10, 11, 0), "-07:00"),
    # zone names RFC 822 does not know, which outlets write anyway
    ("Tue, 10 Jun 2025 04:00:00 CET", datetime(2025, 6, 10, 3, 0), "+01:00"),
    ("Tue, 10 Jun 2025 04:00:00 CEST", datetime(2025, 6, 10, 2, 0), "+02:00"),
    # RFC 3339 / ISO 8601, as Atom, JSON Feed, ninjs and NewsML-G2 write them
    ("2025-06-10T04:00:00Z", datetime(2025, 6, 10, 4, 0), "+00:00"),
    ("2025-06-10T04:00:00+02:00", datetime(2025, 6, 10, 2, 0), "+02:00"),
    ("2025-06-10T04:00:00.250-05:00", datetime(2025, 6, 10, 9, 0, 0, 250000), "-05:00"),
    ("20250610T040000+0530", datetime(2025, 6, 9, 22, 30), "+05:30"),
    # neither: read by dateutil, with its PM and zone (parsedate_tz read 04:00 UTC)
    ("June 9, 2025 4:00 PM EST", datetime(2025, 6, 9, 21, 0), "-05:00"),
])
def test_times_with_a_zone_are_put_in_utc_and_the_offset_kept(written, utc, offset):
    judged = judge(written, now=NOW)
    assert judged.when == utc.replace(tzinfo=UTC)
    assert judged.offset == offset
    assert judged.flags == []


@pytest.mark.parametrize("written", [
    "2025-06-10T04:00:00", "2025-06-10 04:00", "Tue, 10 Jun 2025 04:00:00", "10 June 2025 04:00",
])
def test_a_time_without_a_zone_is_read_as_utc_and_flagged(written):
    judged = judge(written, now=NOW)
    assert judged.when == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    assert judged.offset == ""
    assert judged.flags == [NO_ZONE] == ["no zone"]


@pytest.mark.parametrize("written", ["2100-01-01T00:00:00Z", "Fri, 01 Jan 2100 00:00:00 GMT",
                                     "2025-06-10T12:10:00Z",
                                     "9999-12-31T23:59:59-05:00"])  # past the calendar's end
def test_a_time_in_the_future_is_flagged_and_not_trusted(written):
    judged = judge(written, now=NOW)
    assert judged.when is None
    assert judged.flags == [IN_FUTURE] == ["in the future"]


def test_a_few_minutes_ahead_is_clock_skew_not_the_future():
    ahead = NOW + timedelta(minutes=4)
    assert judge(ahead.isoformat(), now=NOW).when == ahead


@pytest.mark.parametrize("written", ["Thu, 01 Jan 1970 00:00:00 GMT", "1970-01-01T00:00:00Z",
                                     "1989-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00"])
def test_a_time_before_1990_is_flagged_and_not_trusted(written):
    judged = judge(written, now=NOW)
    assert judged.when is None
    assert judged.flags == [BEFORE_1990] == ["before 1990"]


@pytest.mark.parametrize("written", [
    "Last Tuesday", "2025-13-45T99:00:00Z", "soon", "\x00",
    # offsets no zone has: one such date made the whole feed unreadable
    "2025-12-01T10:00:00+99:99", "2025-12-01T10:00:00+24:00", "2025-12-01 10:00 -2500",
    # years parsedate_tz takes as short ones (2000, 2025), and no date at all (today's)
    "Mon, 01 Jan 0000 00:00:00 GMT", "Mon, 01 Jan 0025 00:00:00 GMT", "-1", "10:00",
])
def test_a_time_nobody_can_read_is_flagged_unreadable(written):
    assert judge(written, now=NOW).when is None
    assert judge(written, now=NOW).flags == [UNREADABLE]


@pytest.mark.parametrize("written", [None, "", "   "])
def test_no_time_is_no_flag(written):
    judged = judge(written, now=NOW)
    assert (judged.when, judged.offset, judged.flags) == (None, "", [])


def test_flags_reach_the_item_and_the_untrusted_date_is_dropped():
    feed = (b'<rss version="2.0"><channel><title>T</title>'
            b"<item><title>From the future</title><guid>a</guid>"
            b"<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
            b"<item><title>From 1970</title><guid>b</guid>"
            b"<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate></item>"
            b"<item><title>No zone</title><guid>c</guid>"
            b"<pubDate>Tue, 10 Jun 2025 04:00:00</pubDate></item>"
            b"</channel></rss>")
    future, old, no_zone = parse(feed).items
    assert (future.published_at, future.date_flags) == (None, ["in the future"])
    assert (old.published_at, old.date_flags) == (None, ["before 1990"])
    assert no_zone.published_at == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
    assert no_zone.date_flags == ["no zone"] and no_zone.published_offset == ""


def test_one_impossible_offset_leaves_the_rest_of_the_feed_read():
    feed = (b'<rss version="2.0"><channel><title>T</title>'
            b"<item><title>Odd zone</title><guid>a</guid>"
            b"<pubDate>2025-12-01T10:00:00+99:99</pubDate></item>"
            b"<item><title>Fine</title><guid>b</guid>"
            b"<pubDate>Tue, 10 Jun 2025 04:00:00 GMT</pubDate></item>"
            b"</channel></rss>")
    odd, fine = parse(feed).items
    assert (odd.headline, odd.published_at, odd.date_flags) == ("Odd zone", None, ["unreadable"])
    assert fine.published_at == datetime(2025, 6, 10, 4, 0, tzinfo=UTC)
