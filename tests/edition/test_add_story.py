"""An editor puts a story the build did not choose into a slot of the edition."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dateline.edition.assembly import build_edition, layout
from dateline.edition.models import Edition, EditionItem
from dateline.newsroom.models import Article

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)
LIST = "/desk/edition/edition/"


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def world(make_section):
    return make_section("World", position=1)


@pytest.fixture
def edition(make_article, world):
    for n in range(3):
        make_article(f"World story {n}", section=world, published_at=at(DAY, 2 + n))
    return build_edition(DAY)


@pytest.fixture
def older(make_article, world):
    """A story of three days before: outside the edition's 24 hours."""
    return make_article("Ceasefire holds for a third day", section=world,
                        published_at=at(DAY - timedelta(days=3), 9))


@pytest.fixture
def editor(desk_client, make_user):
    return desk_client(make_user("Editor"))


def add(client, edition, story, column="brief"):
    return client.post(f"{LIST}{edition.pk}/add/", {"story": story, "column": column},
                       follow=True)


def test_an_older_story_goes_last_in_its_slot_pinned_and_stays_through_a_rebuild(
        editor, edition, older):
    page = editor.get(f"{LIST}{edition.pk}/change/").text
    assert f'action="{LIST}{edition.pk}/add/"' in page
    done = add(editor, edition, f"https://news.example{older.get_absolute_url()}")
    assert "“Ceasefire holds for a third day” is now last in News in Brief, pinned" in done.text
    item = EditionItem.objects.get(edition=edition, article=older)
    assert (item.column, item.pinned, item.section.name) == ("brief", True, "World")
    assert item.position == max(edition.items.values_list("position", flat=True))
    build_edition(DAY)  # the morning's top-up
    assert [i.article for i in layout(edition)["briefs"]][-1] == older


def test_a_story_number_does_too_and_a_section_slot_runs_it_under_its_section(
        editor, edition, older):
    said = add(editor, edition, str(older.pk), column="section").text
    assert "is now last in World, pinned" in said  # the slot by its section's name
    [block] = layout(edition)["blocks"]
    assert block[0].name == "World" and block[1][-1].article == older


@pytest.mark.parametrize("given, said", [
    ("/articles/999999/nothing/", "No story has the address or number"),
    ("an idea for a story", "No story has the address or number"),
    ("/section/world/2/", "No story has the address or number"),  # no story's number
    ("https://news.example/live/1/", "No story has the address or number"),
])
def test_an_address_that_names_no_story_is_said(editor, edition, given, said):
    before = edition.items.count()
    assert said in add(editor, edition, given).text
    assert edition.items.count() == before


def test_what_cannot_go_in_is_refused_in_words(editor, edition, older, make_article, world):
    draft = make_article("Not yet out", section=world, status=Article.Status.DRAFT,
                         published_at=None)
    refused = add(editor, edition, draft.pk).text
    assert f"Story {draft.pk} is not published: only a story readers" in refused
    assert "Not yet out" not in refused  # a draft is named by its number
    inside = edition.items.first().article
    assert "is in this edition already" in add(editor, edition, inside.pk).text
    assert "An edition has one lead story" in add(editor, edition, older.pk, "lead").text
    assert not EditionItem.objects.filter(article__in=[draft, older]).exists()
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    assert "has been sent (or is being sent)" in add(editor, edition, older.pk).text
    assert not EditionItem.objects.filter(article=older).exists()


def test_a_story_left_out_comes_back_where_it_is_put(editor, edition):
    item = edition.items.order_by("position").last()
    EditionItem.objects.filter(pk=item.pk).update(left_out=True)
    add(editor, edition, item.article.get_absolute_url(), column="brief")
    item.refresh_from_db()
    assert (item.left_out, item.column, item.pinned) == (False, "brief", True)
    assert edition.items.filter(article=item.article).count() == 1


def test_only_editors_add_stories(desk_client, make_user, edition, older):
    reporter = desk_client(make_user("Reporter"))
    assert reporter.post(f"{LIST}{edition.pk}/add/", {"story": older.pk,
                                                      "column": "brief"}).status_code == 403
    assert not EditionItem.objects.filter(article=older).exists()
