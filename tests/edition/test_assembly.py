"""Which stories an edition carries, where, and what a rebuild keeps."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from dateline.edition.assembly import (
    archive_days,
    build_edition,
    goes_out_at,
    is_public,
    next_edition_date,
)
from dateline.edition.models import Edition, EditionItem
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def sections(make_section):
    world = make_section("World", position=1)
    return {"world": world, "russia": make_section("Russia", parent=world),
            "business": make_section("Business", position=2),
            "sport": make_section("Sport", position=3)}


def story(make_article, section, when, words=50, **fields):
    body = "<p>" + " ".join(["word"] * words) + ".</p>"
    return make_article(f"{section.name} story {words} at {when:%H:%M}", section=section,
                        published_at=when, body=body, **fields)


def test_an_edition_carries_the_24_hours_before_its_time(make_article, sections):
    inside = story(make_article, sections["world"], at(7, 0, DAY - timedelta(days=1)))
    late = story(make_article, sections["world"], at(6, 59))
    too_early = story(make_article, sections["world"], at(6, 59, DAY - timedelta(days=1)))
    too_late = story(make_article, sections["world"], at(7, 0))
    edition = build_edition(DAY)
    carried = set(edition.items.values_list("article_id", flat=True))
    assert carried == {inside.pk, late.pk}
    assert too_early.pk not in carried and too_late.pk not in carried
    assert goes_out_at(DAY) == at(7, 0)


def test_an_undated_archive_s_import_is_no_news_for_the_edition(make_article, sections):
    """The morning's edition after the BBC's undated archive was imported held 34 of its
    2004 stories, dated the import's day, and nothing else."""
    news = story(make_article, sections["world"], at(9, 0, DAY - timedelta(days=1)))
    story(make_article, sections["business"], at(10, 0, DAY - timedelta(days=1)),
          published_at_is_import_time=True)
    edition = build_edition(DAY)
    assert list(edition.items.values_list("article_id", flat=True)) == [news.pk]
    Article.objects.filter(pk=news.pk).delete()
    assert archive_days() == []  # an archive of undated stories has no back issues


def test_lead_then_each_main_sections_top_stories_then_briefs(
    make_article, sections, settings
):
    settings.DATELINE_EDITION_PER_SECTION = 2
    settings.DATELINE_EDITION_BRIEFS = 3
    flagged = story(make_article, sections["business"], at(1), words=10, is_top_story=True)
    world = [story(make_article, sections["russia"], at(2, m), words=100 + m) for m in range(4)]
    sport = story(make_article, sections["sport"], at(3), words=20)
    edition = build_edition(DAY)
    items = {i.article_id: i for i in edition.items.all()}
    assert items[flagged.pk].column == EditionItem.Column.LEAD
    # A subsection's stories run under its main section: the two longest of World.
    assert {pk for pk, i in items.items() if i.column == "section" and
            i.section == sections["world"]} == {world[3].pk, world[2].pk}
    assert items[sport.pk].column == "section" and items[sport.pk].section == sections["sport"]
    briefs = [i.article_id for i in edition.items.filter(column="brief").order_by("position")]
    assert briefs == [world[1].pk, world[0].pk]  # what is left, newest first
    assert edition.name == settings.DATELINE_EDITION_NAME


def test_a_rebuild_keeps_the_editors_order_and_adds_what_is_new(make_article, sections):
    first = story(make_article, sections["world"], at(1))
    second = story(make_article, sections["world"], at(2), words=60)
    edition = build_edition(DAY)
    EditionItem.objects.filter(edition=edition, article=first).update(position=1, pinned=True)
    EditionItem.objects.filter(edition=edition, article=second).update(position=9)
    later = story(make_article, sections["business"], at(5))
    build_edition(DAY)
    order = list(edition.items.order_by("position").values_list("article_id", flat=True))
    assert order[:2] == [first.pk, second.pk] and later.pk in order
    assert Edition.objects.count() == 1


def test_a_rebuild_fills_only_the_places_still_free(make_article, sections, settings):
    settings.DATELINE_EDITION_PER_SECTION = 1
    settings.DATELINE_EDITION_BRIEFS = 1
    lead = story(make_article, sections["world"], at(1), words=200)
    world = story(make_article, sections["world"], at(2), words=100)
    left_out = story(make_article, sections["business"], at(3), words=100)
    edition = build_edition(DAY)
    EditionItem.objects.filter(edition=edition, article=left_out).update(left_out=True)
    longer = story(make_article, sections["world"], at(4), words=150)
    business = story(make_article, sections["business"], at(5), words=50)
    newest = story(make_article, sections["russia"], at(6), words=40)
    build_edition(DAY)
    items = {i.article_id: i for i in edition.items.all()}
    columns = {pk: (i.column, i.section_id) for pk, i in items.items()}
    assert columns[lead.pk][0] == EditionItem.Column.LEAD  # still the only lead
    assert [i.column for i in items.values()].count(EditionItem.Column.LEAD) == 1
    assert columns[world.pk] == ("section", sections["world"].pk)  # World's one place is taken
    # The left-out story keeps its row and stays out; its place goes to another story.
    assert items[left_out.pk].left_out
    assert columns[business.pk] == ("section", sections["business"].pk)
    # What is left goes to the briefs, newest first, within the limit.
    assert columns[newest.pk] == ("brief", sections["world"].pk) and longer.pk not in items
    assert items[newest.pk].position > items[left_out.pk].position


def test_a_lead_left_out_gives_its_place_to_the_next_story(make_article, sections):
    first = story(make_article, sections["world"], at(1), words=200)
    edition = build_edition(DAY)
    EditionItem.objects.filter(edition=edition, article=first).update(left_out=True)
    second = story(make_article, sections["business"], at(2))
    build_edition(DAY)
    leads = edition.items.filter(column=EditionItem.Column.LEAD)
    assert {(i.article_id, i.left_out) for i in leads} == {(first.pk, True), (second.pk, False)}


def test_an_archive_s_copy_of_a_story_never_runs_twice_nor_takes_a_left_out_place(
        make_article, sections):
    """An archive carrying a story twice ran it twice ("Apple laptop is 'greatest gadget'"),
    and the place an editor freed by leaving one out went to its copy."""
    world, business = sections["world"], sections["business"]
    kilroy = make_article("Kilroy launches 'Veritas' party", section=world, published_at=at(3),
                          body="<p>" + "word " * 300 + "</p>")
    copy = make_article("Kilroy launches  'VERITAS' party", section=world, published_at=at(2),
                        body="<p>" + "word " * 290 + "</p>")
    own = make_article("Budget passes", section=business, published_at=at(4))
    edition = build_edition(DAY)
    shown = list(edition.items.values_list("article_id", flat=True))
    assert kilroy.pk in shown and copy.pk not in shown and own.pk in shown
    EditionItem.objects.filter(edition=edition, article=kilroy).update(left_out=True)
    build_edition(DAY)
    assert not edition.items.filter(article=copy).exists()


def test_a_story_unpublished_since_leaves_the_edition(make_article, make_user, sections):
    kept = story(make_article, sections["world"], at(1))
    killed = story(make_article, sections["world"], at(2))
    edition = build_edition(DAY)
    TRANSITIONS["unpublish"].execute(make_user("Editor"), Article.objects.get(pk=killed.pk))
    build_edition(DAY)
    assert list(edition.items.values_list("article_id", flat=True)) == [kept.pk]


def test_back_issues_for_an_archive_from_the_command(make_article, sections, capsys):
    for offset in range(3):
        story(make_article, sections["world"], at(3, 0, DAY - timedelta(days=offset)))
    call_command("edition", "build", "2024-12-09", "--to", "2024-12-11")
    assert list(Edition.objects.order_by("date").values_list("date", flat=True)) == [
        date(2024, 12, 9), date(2024, 12, 10), date(2024, 12, 11)]
    assert "3 stories" not in capsys.readouterr().out  # one story each
    assert all(e.items.count() == 1 for e in Edition.objects.all())


def test_bad_dates_are_refused_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("edition", "build", "2024-13-45")
    with pytest.raises(CommandError, match="before the first day"):
        call_command("edition", "build", "2024-12-11", "--to", "2024-12-01")


def test_an_edition_is_out_at_its_time_or_when_sent():
    edition = Edition.objects.create(date=DAY, name="Morning")
    assert not is_public(edition, now=at(6, 59))
    assert is_public(edition, now=at(7, 0))
    edition.status = Edition.Status.SENT
    assert is_public(edition, now=at(6, 0))
    assert next_edition_date(at(6, 59)) == DAY
    assert next_edition_date(at(7, 0)) == DAY + timedelta(days=1)


def test_an_imported_archive_gets_its_back_issues(make_article, sections, capsys):
    story(make_article, sections["world"], at(6, 0, date(1987, 3, 2)))  # → March 2's edition
    story(make_article, sections["world"], at(9, 0, date(1987, 3, 2)))  # → March 3's
    story(make_article, sections["sport"], at(23, 0, date(1987, 3, 9)))  # → March 10's
    call_command("edition", "build", "--archive")
    assert list(Edition.objects.order_by("date").values_list("date", flat=True)) == [
        date(1987, 3, 2), date(1987, 3, 3), date(1987, 3, 10)]
    assert "Built 3 back issue(s)" in capsys.readouterr().out
    call_command("edition", "build", "--archive")
    assert "Built 0 back issue(s); 3 were there." in capsys.readouterr().out
