"""The desk's readership screen: charts as SVG images, the same numbers as tables."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dateline.readership.models import Tally

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)


@pytest.fixture
def counted(make_article, make_section):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        sport = make_section("Sport")
        a = make_article("Cup final tonight", section=sport)
        b = make_article("Elections called")
    hour = NOW.replace(minute=0)
    Tally.objects.create(kind="view", key=str(a.pk), hour=hour, count=40)
    Tally.objects.create(kind="view", key=str(b.pk), hour=hour - timedelta(hours=3), count=15)
    Tally.objects.create(kind="view", key=str(b.pk), hour=hour - timedelta(days=2), count=500)
    Tally.objects.create(kind="impression", key=str(a.pk), hour=hour, count=9999)
    return a, b


def test_an_editor_sees_views_per_story_section_and_hour(counted, make_user, desk_client):
    editor = desk_client(make_user("Editor"))
    with time_machine.travel(NOW, tick=False):
        page = editor.get("/desk/readership/").content.decode()
        week = editor.get("/desk/readership/?period=week").content.decode()
    assert "<strong>55</strong> in the last\n24 hours" in page  # impressions are not views
    stories = page.split('id="by-story"')[1].split("</table>")[0]
    assert stories.index("Cup final tonight") < stories.index("Elections called")
    assert "<td>Sport</td><td>40</td>" in page and "<td>World</td><td>15</td>" in page
    assert "<strong>555</strong> in the last\n7 days" in week
    for chart in ("hours", "stories", "sections"):
        assert f"/desk/readership/chart/{chart}.svg?period=day" in page


def test_the_charts_are_svg_images(counted, make_user, desk_client):
    editor = desk_client(make_user("Editor"))
    with time_machine.travel(NOW, tick=False):
        answer = editor.get("/desk/readership/chart/stories.svg?period=day")
    assert answer["Content-Type"] == "image/svg+xml"
    svg = answer.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Cup final tonight" in svg


def test_a_quiet_hours_chart_counts_in_whole_views(make_article, make_user, desk_client):
    """Three views in an hour were drawn against ticks of 0.2 to 2.8 views."""
    from dateline.readership.charts import pygal, whole_counts

    story = make_article("Quiet day")
    Tally.objects.create(kind="view", key=str(story.pk), hour=NOW.replace(minute=0), count=3)
    with time_machine.travel(NOW, tick=False):
        svg = desk_client(make_user("Editor")).get(
            "/desk/readership/chart/hours.svg?period=day").content.decode()
    ticks = re.findall(r"<text[^>]*>(\d+(?:\.\d+)?)</text>", svg)
    assert ticks and not [t for t in ticks if re.fullmatch(r"\d+\.\d+", t)], ticks
    chart = pygal().Bar()
    whole_counts(chart, [0, 1200, 7])
    assert chart.y_labels == [0, 240, 480, 720, 960, 1200, 1440]


@pytest.mark.parametrize("url", ["/desk/readership/?period=year",
                                 "/desk/readership/chart/pie.svg",
                                 "/desk/readership/chart/hours.svg?period=%00"])
def test_unknown_periods_and_charts_are_404(url, make_user, desk_client):
    assert desk_client(make_user("Editor")).get(url).status_code == 404


def test_reporters_do_not_see_readership(make_user, desk_client, client):
    assert desk_client(make_user("Reporter")).get("/desk/readership/").status_code == 403
    client.logout()
    assert client.get("/desk/readership/").status_code == 302  # to the desk's login


def test_the_desk_index_leads_to_the_screen(make_user, desk_client):
    editor = desk_client(make_user("Editor"))
    answer = editor.get("/desk/readership/tally/")
    assert answer.status_code == 302 and answer["Location"] == "/desk/readership/"
