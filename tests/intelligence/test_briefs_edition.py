"""The daily edition's News in Brief prints each story's brief: an editor's where there is
one, else the machine's, on the web page, in the mail and in the PDF's context alike."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dateline.edition.assembly import build_edition, layout
from dateline.edition.newsletter import EditionMail
from dateline.intelligence.briefs import brief_for
from dateline.intelligence.models import Brief

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)


def at(hour: int) -> datetime:
    return timezone.make_aware(datetime(2024, 12, 10, 7)) + timedelta(hours=hour)


@pytest.fixture
def edition(make_section, make_article, settings):
    settings.DATELINE_EDITION_PER_SECTION = 0  # every story but the lead runs as a brief
    world = make_section("World", position=1)
    make_article("Lead story", section=world, is_top_story=True, published_at=at(1))
    edited = make_article(
        "Port reopens", section=world, published_at=at(2),
        body="<p>ROTTERDAM, Dec 10 - The port reopened on Tuesday, its operator said. Ships "
             "queued overnight. Unions welcomed the deal. Trade resumed at dawn.</p>")
    machine = make_article(
        "Strike ends", section=world, published_at=at(3),
        body="<p>The strike ended after nine days. Workers return on Monday. Talks go on. "
             "A fourth sentence is left out.</p>")
    Brief.objects.create(article=edited, text="Rotterdam's port is open again.",
                         machine_text="The port reopened on Tuesday, its operator said.",
                         edited_at=timezone.now())
    return build_edition(DAY), edited, machine


def test_the_edition_s_briefs_are_the_stories_briefs(client, edition):
    built, edited, machine = edition
    machine_brief = ("The strike ended after nine days. Workers return on Monday. "
                     "Talks go on.")
    assert brief_for(machine) == machine_brief
    assert brief_for(edited) == "Rotterdam's port is open again."
    assert {i.article_id: i.brief_text for i in layout(built)["briefs"]} == {
        edited.pk: "Rotterdam's port is open again.", machine.pk: machine_brief}

    page = client.get(built.get_absolute_url()).content.decode()
    assert "Rotterdam&#x27;s port is open again." in page and machine_brief in page
    assert "A fourth sentence" not in page

    mail = EditionMail(built)
    text = mail._text  # rendered once for every subscriber
    assert "* Port reopens: Rotterdam's port is open again." in text
    assert f"* Strike ends: {machine_brief}" in text


def test_a_stored_storys_list_is_not_its_lead(make_article):
    """Its items, full stops and all, were taken as the lead's next sentences ("... a long
    debate. Roads get more money. Schools get less.")."""
    story = make_article("Council passes budget", body=(
        "<p>The council approved the budget on Tuesday after a long debate.</p>"
        "<ul><li>Roads get more money.</li><li>U.S. aid cut</li></ul>"
        "<p>More text follows here.</p>"))
    assert brief_for(story) == "The council approved the budget on Tuesday after a long debate."
