"""The editions on the web: today's, any day's, the way between them, and their caching."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from dateline.edition.assembly import build_edition
from dateline.edition.models import Edition, EditionItem
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article

from ..pagecache.test_pagecache import Reader
from .test_desk import arrange

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def pdf_headers_of(app, path: str) -> dict:
    """The headers of a GET through the WSGI application (the body is a PDF)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured.update(headers)

    chunks = app(RequestFactory().get(path).environ, start_response)
    b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return captured


def url(day: date) -> str:
    return f"/edition/{day:%Y/%m/%d}/"


@pytest.fixture
def edition_of(make_article, make_section):
    """edition_of(day, "Headline", ...): an edition carrying these stories, from 03:00."""
    world = make_section("World", position=1)

    def make(day: date, *headlines: str) -> Edition:
        for n, headline in enumerate(headlines or [f"News of {day:%B %-d}"]):
            make_article(headline, section=world, published_at=at(day, 3, n))
        return build_edition(day)

    return make


def test_today_s_edition_once_it_is_out_else_the_latest(client, edition_of):
    edition_of(DAY - timedelta(days=1), "Yesterday news")
    edition_of(DAY, "Today news")
    with time_machine.travel(at(DAY, 6, 59), tick=False):
        page = client.get("/edition/")
        assert page.status_code == 200
        assert "Yesterday news" in page.text and "Today news" not in page.text
        assert f'href="{url(DAY)}"' not in page.text  # no link to what is not out yet
        assert client.get(url(DAY)).status_code == 404
    with time_machine.travel(at(DAY, 7, 0), tick=False):
        page = client.get("/edition/")
        assert "Today news" in page.text and "Wednesday, December 11, 2024" in page.text
        assert f'<link rel="canonical" href="http://testserver{url(DAY)}">' in page.text
        assert f'href="{url(DAY)}pdf/"' in page.text and "Download PDF" in page.text


def test_an_edition_sent_early_is_out_at_once(client, make_article):
    evening = at(DAY - timedelta(days=1), 22, 0)
    make_article("Sent early", published_at=evening - timedelta(hours=2))
    edition = build_edition(DAY)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    with time_machine.travel(evening, tick=False):
        assert "Sent early" in client.get("/edition/").text
        assert client.get(url(DAY)).status_code == 200


def test_no_edition_yet_is_a_kind_404(client, db):
    page = client.get("/edition/")
    assert page.status_code == 404
    assert "No edition has gone out yet" in page.text and "07:00" in page.text
    page = client.get(url(DAY))
    assert page.status_code == 404
    assert "No edition on Wednesday, December 11, 2024" in page.text


def test_previous_and_next_skip_missing_days_and_unpublished_editions(client, edition_of):
    days = [DAY - timedelta(days=n) for n in (5, 3, 1)]
    for day in days:
        edition_of(day)
    edition_of(DAY, "Tomorrow front page")  # an editor opened it early
    with time_machine.travel(at(DAY, 6, 0), tick=False):
        middle = client.get(url(days[1])).text
        assert f'rel="prev" href="{url(days[0])}"' in middle
        assert f'rel="next" href="{url(days[2])}"' in middle
        first = client.get(url(days[0])).text
        assert 'rel="prev"' not in first
        last = client.get(url(days[2])).text
        assert 'rel="next"' not in last and "Tomorrow front page" not in last
        missing = client.get(url(DAY - timedelta(days=2)))
        assert missing.status_code == 404
        assert f'href="{url(days[2])}"' in missing.text  # the way to the latest edition


def test_other_spellings_of_a_date_redirect_to_the_canonical_url(client, edition_of):
    edition_of(date(2024, 1, 5))
    for other in ("/edition/2024/1/5/", "/edition/2024/01/5/", "/edition/02024/001/05/"):
        response = client.get(other)
        assert response.status_code == 301, other
        assert response["Location"] == "/edition/2024/01/05/"
    response = client.get("/edition/2024/1/5/pdf/")
    assert (response.status_code, response["Location"]) == (301, "/edition/2024/01/05/pdf/")


@pytest.mark.parametrize("path", [
    "/edition/2024/02/30/", "/edition/2023/13/01/", "/edition/0/01/01/",
    "/edition/2024/00/10/", "/edition/99999/01/01/",
    "/edition/99999999999999999999999/01/01/", "/edition/2024/01/99999999999999999999/",
    "/edition/2024/02/30/pdf/", "/edition/99999999999999999999999/1/1/pdf/",
])
def test_impossible_dates_are_404_not_500(client, db, path):
    assert client.get(path).status_code == 404


def test_a_story_unpublished_since_vanishes_from_its_edition(client, edition_of, make_user):
    edition_of(DAY, "Kept story", "Killed story")
    assert "Killed story" in client.get(url(DAY)).text
    killed = Article.objects.get(headline="Killed story")
    TRANSITIONS["unpublish"].execute(make_user("Editor"), killed)
    page = client.get(url(DAY)).text
    assert "Kept story" in page and "Killed story" not in page


def test_the_site_links_to_the_daily_edition(client, make_article):
    make_article("Any story")
    assert 'href="/edition/"' in client.get("/").text


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_a_second_reader_gets_a_hit_and_an_editors_reorder_refreshes_it(
    edition_of, make_user, desk_client, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # where the PDF is kept
    reader = Reader()
    edition = edition_of(DAY, "Story A", "Story B", "Story C")
    first, second = edition.items.filter(column="section").order_by("position")
    top, below = first.article.headline, second.article.headline
    status, headers, before = reader.get(url(DAY))
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert before.index(top) < before.index(below)
    status, headers, again = reader.get(url(DAY))
    assert (status, headers["X-Cache"], again) == (200, "HIT", before)
    assert f"ed{edition.pk}" in headers["Surrogate-Key"].split()
    pdf_headers = pdf_headers_of(reader.app, url(DAY) + "pdf/")
    assert pdf_headers["X-Cache"] == "MISS"
    assert pdf_headers_of(reader.app, url(DAY) + "pdf/")["X-Cache"] == "HIT"
    assert pdf_headers["Surrogate-Key"] == headers["Surrogate-Key"]

    editor = desk_client(make_user("Editor"))
    response = arrange(editor, edition, {first.pk: {"position": 99}})
    assert response.status_code == 302
    assert EditionItem.objects.get(pk=first.pk).position == 99
    status, headers, after = reader.get(url(DAY))
    assert headers["X-Cache"] == "MISS"
    assert after.index(below) < after.index(top)
    assert pdf_headers_of(reader.app, url(DAY) + "pdf/")["X-Cache"] == "MISS"
