"""Arranging an edition from the desk's board: the JSON save of the whole order."""

import json
from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from dateline.edition import arrange
from dateline.edition.assembly import build_edition, layout
from dateline.edition.models import Edition, EditionItem

from ..pagecache.test_pagecache import Reader

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)


def at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(DAY.year, DAY.month, DAY.day, hour, minute))


@pytest.fixture
def sections(make_section):
    return make_section("World", position=1), make_section("Business", position=2)


@pytest.fixture
def edition(make_article, sections):
    world, business = sections
    make_article("World lead", section=world, published_at=at(1), is_top_story=True)
    for n in range(3):
        make_article(f"World story {n}", section=world, published_at=at(2, n))
    make_article("Markets close higher", section=business, published_at=at(4))
    return build_edition(DAY)


@pytest.fixture
def editor(desk_client, make_user):
    return desk_client(make_user("Editor"))


def url(edition: Edition) -> str:
    return f"/desk/edition/edition/{edition.pk}/arrange/"


def post(client, edition: Edition, payload) -> object:
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(url(edition), body, content_type="application/json")


def current(edition: Edition) -> dict:
    """The board's order as the page would send it back unchanged."""
    return {"version": arrange.version(edition), "groups": [
        {"column": g.column, "section": g.section.pk if g.section else None,
         "items": [i.pk for i in g.items]} for g in arrange.board(edition)]}


def headlines(edition: Edition, column: str, section=None) -> list[str]:
    items = edition.items.filter(column=column, left_out=False).order_by("position", "pk")
    if section is not None:
        items = items.filter(section=section)
    return [i.article.headline for i in items.select_related("article")]


def group(payload: dict, column: str, section=None) -> list[int]:
    return next(g["items"] for g in payload["groups"]
                if g["column"] == column and g["section"] == (section.pk if section else None))


def test_the_board_groups_cards_by_slot_in_the_pages_order(editor, edition):
    slots = [(g.label, [i.article.headline for i in g.items]) for g in arrange.board(edition)]
    assert slots == [("Lead story", ["World lead"]),
                     ("World", ["World story 2", "World story 1", "World story 0"]),
                     ("Business", ["Markets close higher"]), ("News in Brief", [])]
    page = editor.get(f"/desk/edition/edition/{edition.pk}/change/").text
    assert 'id="edition-board"' in page and "edition/arrange.js" in page
    assert f'data-arrange-url="{url(edition)}"' in page
    # Hidden until the script shows it: without JavaScript the table form does the job.
    assert f'data-version="{arrange.version(edition)}" hidden>' in page
    assert 'name="items-0-position"' in page  # the table form is still there, for no script


def test_a_save_reorders_a_slot_and_numbers_positions_in_order(editor, edition, sections):
    world, _ = sections
    payload = current(edition)
    group(payload, "section", world).reverse()
    answer = post(editor, edition, payload)
    assert answer.status_code == 200
    assert headlines(edition, "section", world) == ["World story 0", "World story 1",
                                                    "World story 2"]
    body = answer.json()
    assert body["version"] == arrange.version(edition) != payload["version"]
    positions = sorted(p["position"] for p in body["items"].values())
    assert positions == [1, 2, 3, 4, 5]


def test_a_save_moves_stories_between_slots_and_the_page_follows(editor, edition, sections):
    world, business = sections
    payload = current(edition)
    story_1 = edition.items.get(article__headline="World story 1").pk
    group(payload, "section", world).remove(story_1)
    group(payload, "brief").append(story_1)
    markets = group(payload, "section", business).pop()
    group(payload, "section", world).insert(0, markets)
    assert post(editor, edition, payload).status_code == 200
    assert headlines(edition, "brief") == ["World story 1"]
    assert headlines(edition, "section", world) == ["Markets close higher", "World story 2",
                                                    "World story 0"]
    built = layout(edition)
    assert [(s.name, [i.article.headline for i in items]) for s, items in built["blocks"]] == [
        ("World", ["Markets close higher", "World story 2", "World story 0"])]
    assert [i.article.headline for i in built["briefs"]] == ["World story 1"]
    # A brief runs under its story's own main section again, as a build would place it.
    assert EditionItem.objects.get(pk=story_1).section == world
    # A rebuild keeps the arrangement.
    build_edition(DAY)
    assert headlines(edition, "brief") == ["World story 1"]


@pytest.mark.parametrize(("change", "message"), [
    ("foreign", "not in this edition"),
    ("duplicate", "appears twice"),
    ("missing", "leaves out stories"),
    ("second lead", "one lead story"),
    ("bad section", "not a main section"),
])
def test_a_wrong_order_is_refused_and_changes_nothing(
    editor, edition, sections, make_article, change, message
):
    world, _ = sections
    other = build_edition(date(2024, 12, 12))
    foreign = EditionItem.objects.create(
        edition=other, article=make_article("Elsewhere", section=world), column="brief",
        position=1)
    payload = current(edition)
    world_items = group(payload, "section", world)
    if change == "foreign":
        world_items.append(foreign.pk)
    elif change == "duplicate":
        group(payload, "brief").append(world_items[0])
    elif change == "missing":
        world_items.pop()
    elif change == "second lead":
        group(payload, "lead").append(world_items.pop())
    else:
        payload["groups"][1]["section"] = 99999
    before = arrange.version(edition)
    answer = post(editor, edition, payload)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert arrange.version(edition) == before


@pytest.mark.parametrize("body", ["not json", b"\xff\xfe", "[]", "null", '{"version": 1}',
                                  '{"version": "x", "groups": [{"column": "top", "items": []}]}',
                                  '{"version": "x", "groups": [{"column": "brief", '
                                  '"items": ["1"]}]}', '{"version": "x", "groups": 5}'])
def test_a_malformed_body_is_a_400_never_a_500(editor, edition, body):
    answer = post(editor, edition, body)
    assert answer.status_code == 400
    assert answer.json()["error"]


def test_a_stale_version_is_refused_and_the_reason_waits_for_the_reload(editor, edition):
    mine = current(edition)
    theirs = current(edition)
    theirs["groups"][1]["items"].reverse()
    assert post(editor, edition, theirs).status_code == 200
    arranged = arrange.version(edition)
    mine["groups"][1]["items"].append(mine["groups"][1]["items"].pop(0))
    answer = post(editor, edition, mine)
    assert answer.status_code == 409
    assert "Someone else changed this edition's order" in answer.json()["error"]
    assert arrange.version(edition) == arranged
    page = editor.get(f"/desk/edition/edition/{edition.pk}/change/").text
    assert "Someone else changed this edition&#x27;s order" in page


def test_the_table_form_also_changes_the_version(editor, edition):
    before = arrange.version(edition)
    item = edition.items.order_by("position").last()
    EditionItem.objects.filter(pk=item.pk).update(pinned=True)
    assert arrange.version(edition) != before


def test_a_sent_edition_is_not_rearranged(editor, edition):
    payload = current(edition)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    answer = post(editor, edition, payload)
    assert answer.status_code == 409 and "has been sent" in answer.json()["error"]
    page = editor.get(f"/desk/edition/edition/{edition.pk}/change/").text
    assert 'id="edition-board"' not in page


def test_without_permission_the_answer_is_403_json(desk_client, make_user, edition):
    payload = current(edition)
    reporter = desk_client(make_user("Reporter"))
    answer = post(reporter, edition, payload)
    assert answer.status_code == 403
    assert answer.json() == {"error": "Only editors arrange editions."}


def test_a_get_or_a_post_without_csrf_token_is_refused(make_user, edition):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    assert client.get(url(edition)).status_code == 405
    answer = client.post(url(edition), json.dumps(current(edition)),
                         content_type="application/json")
    assert answer.status_code == 403
    assert arrange.version(edition) == current(edition)["version"]


def test_an_unknown_edition_is_404_json(editor, edition):
    answer = editor.post("/desk/edition/edition/99999/arrange/", "{}",
                         content_type="application/json")
    assert answer.status_code == 404 and answer.json()["error"]



@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_a_save_refreshes_the_cached_edition_page(editor, edition, sections):
    world, _ = sections
    reader = Reader()
    page = edition.get_absolute_url()
    reader.get(page)
    _, headers, before = reader.get(page)
    assert headers["X-Cache"] == "HIT"
    assert before.index("World story 2") < before.index("World story 0")
    payload = current(edition)
    group(payload, "section", world).reverse()
    assert post(editor, edition, payload).status_code == 200
    _, headers, after = reader.get(page)
    assert headers["X-Cache"] == "MISS"
    assert after.index("World story 0") < after.index("World story 2")


def test_an_item_key_wider_than_any_column_is_refused_and_nothing_moves(editor, edition):
    before = current(edition)
    payload = current(edition)
    payload["groups"][0]["items"].append(10**30)
    answer = post(editor, edition, payload)
    assert answer.status_code == 400
    assert "could not be read" in answer.json()["error"]
    assert current(edition) == before
