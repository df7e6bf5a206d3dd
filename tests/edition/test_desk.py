"""The desk's editions: the list, arranging an edition, and the open, rebuild and send buttons."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.edition.assembly import build_edition
from dateline.edition.models import Edition, EditionItem
from dateline.edition.tasks import publish_edition

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)
LIST = "/desk/edition/edition/"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def change_page(edition: Edition) -> str:
    return f"{LIST}{edition.pk}/change/"


def arrange(client, edition: Edition, changes: dict[int, dict]):
    """POST the edition's desk form with every item as it is, but for `changes` by item pk
    ({pk: {"column": "brief", "position": 3, "pinned": True, "left_out": True}})."""
    items = list(edition.items.order_by("position", "pk"))
    data = {"name": edition.name, "items-TOTAL_FORMS": len(items),
            "items-INITIAL_FORMS": len(items), "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000, "_continue": "Save"}
    for n, item in enumerate(items):
        fields = {"id": item.pk, "edition": edition.pk, "column": item.column,
                  "position": item.position, "pinned": item.pinned,
                  "left_out": item.left_out, **changes.get(item.pk, {})}
        for name, value in fields.items():
            if value is True:
                data[f"items-{n}-{name}"] = "on"
            elif value is not False:
                data[f"items-{n}-{name}"] = value
    return client.post(change_page(edition), data)


@pytest.fixture
def world(make_section):
    return make_section("World", position=1)


@pytest.fixture
def edition(make_article, world, make_section):
    business = make_section("Business", position=2)
    for n in range(3):
        make_article(f"World story {n}", section=world, published_at=at(DAY, 2, n))
    make_article("Markets close higher", section=business, published_at=at(DAY, 4))
    return build_edition(DAY)


@pytest.fixture
def editor(desk_client, make_user):
    return desk_client(make_user("Editor"))


def test_the_list_shows_each_edition_with_its_counts(editor, edition):
    page = editor.get(LIST)
    assert page.status_code == 200
    text = page.text
    assert "Dateline Morning News" in text and "11 Dec 2024" in text
    assert '<td class="field-stories">4</td>' in text
    assert '<td class="field-sections">3</td>' in text  # the lead is the fourth


def test_reporters_do_not_manage_editions(desk_client, make_user, edition):
    reporter = desk_client(make_user("Reporter"))
    assert reporter.get(LIST).status_code == 403
    assert reporter.get(change_page(edition)).status_code == 403
    for action in ("rebuild", "send"):
        assert reporter.post(f"{LIST}{edition.pk}/{action}/").status_code == 403
    assert reporter.post(f"{LIST}open-next/").status_code == 403
    assert reporter.get(f"{LIST}{edition.pk}/pdf/").status_code == 403
    assert not DBTaskResult.objects.exists()


def test_the_change_page_lists_the_stories_by_position(editor, edition):
    last = edition.items.order_by("position").first()
    EditionItem.objects.filter(pk=last.pk).update(position=50)
    with time_machine.travel(at(DAY, 6, 0)):
        text = editor.get(change_page(edition)).text
    headlines = [item.article.headline for item in edition.items.order_by("position")]
    assert headlines[-1] == last.article.headline
    table = text[text.index('id="items-group"'):]  # the board above groups them by slot
    positions = [table.index(headline) for headline in headlines]
    assert positions == sorted(positions)
    assert "<small>Business</small>" in text and "<small>World</small>" in text
    assert "Rebuild (keep what is placed)" in text and "Send now" in text


def test_an_editor_moves_pins_and_leaves_out_stories(editor, edition):
    _lead, brief, pinned, removed = edition.items.order_by("position")
    response = arrange(editor, edition, {
        brief.pk: {"column": "brief"}, pinned.pk: {"position": 0, "pinned": True},
        removed.pk: {"left_out": True}})
    assert response.status_code == 302
    assert EditionItem.objects.get(pk=brief.pk).column == "brief"
    moved = EditionItem.objects.get(pk=pinned.pk)
    assert (moved.position, moved.pinned) == (0, True)
    assert removed.article_id not in shown_ids(edition)
    build_edition(DAY)  # a rebuild keeps the arrangement, and what was left out stays out
    assert EditionItem.objects.get(pk=brief.pk).column == "brief"
    assert EditionItem.objects.get(pk=pinned.pk).position == 0
    assert EditionItem.objects.get(pk=removed.pk).left_out
    assert removed.article_id not in shown_ids(edition)


def shown_ids(edition: Edition) -> set[int]:
    from dateline.edition.assembly import layout

    found = layout(edition)
    items = [found["lead"], *found["briefs"], *(i for _, its in found["blocks"] for i in its)]
    return {i.article_id for i in items if i}


def test_a_second_lead_is_refused_with_a_reason(editor, edition):
    _, other, *_ = edition.items.order_by("position")
    response = arrange(editor, edition, {other.pk: {"column": "lead"}})
    assert response.status_code == 200
    assert "An edition has one lead story" in response.text
    assert EditionItem.objects.get(pk=other.pk).column == "section"


def test_open_the_next_edition_builds_it_for_the_desk_to_arrange(
    editor, make_article, world, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # where the PDF is kept
    with time_machine.travel(at(DAY, 5, 0)):
        make_article("Overnight story", section=world, published_at=at(DAY, 1))
        response = editor.post(f"{LIST}open-next/", follow=True)
        edition = Edition.objects.get(date=DAY)
        assert response.redirect_chain[-1][0] == change_page(edition)
        assert ("The edition of Wednesday, 11 December 2024 is open with 1 story. Arrange "
                "it before it goes out at 07:00.") in response.text
        assert "Overnight story" in response.text
        make_article("Later story", section=world, published_at=at(DAY, 5, 0))
        again = editor.post(f"{LIST}open-next/", follow=True)
        assert "was already open: 1 new story added" in again.text
        assert Edition.objects.count() == 1 and edition.items.count() == 2
        # Not out before its time: the desk has it and its PDF, readers have neither.
        assert editor.get(f"/edition/{DAY:%Y/%m/%d}/").status_code == 404
        assert editor.get(f"/edition/{DAY:%Y/%m/%d}/pdf/").status_code == 404
        pdf = editor.get(f"{LIST}{edition.pk}/pdf/")
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    with time_machine.travel(at(DAY, 7, 0)):
        assert "Next edition: Thursday, 12 December 2024, out at 07:00" in editor.get(LIST).text


def test_rebuild_adds_what_qualified_since_and_keeps_the_order(editor, edition, make_article,
                                                               world):
    order = list(edition.items.order_by("position").values_list("pk", flat=True))
    make_article("Late arrival", section=world, published_at=at(DAY, 6, 30))
    response = editor.post(f"{LIST}{edition.pk}/rebuild/", follow=True)
    assert "Rebuilt: 1 new stories added, 0 no longer published taken out, 4 placed " \
           "stories kept in place." in response.text
    assert list(edition.items.order_by("position").values_list("pk", flat=True))[:4] == order
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.SENT)
    refused = editor.post(f"{LIST}{edition.pk}/rebuild/", follow=True)
    assert "a rebuild now would make the archive differ" in refused.text
    assert "Rebuild (keep what is placed)" not in refused.text


def test_send_now_asks_first_saying_to_how_many_and_when_it_would_go_anyway(
        editor, edition):
    """One press beside "Rebuild" mailed every subscriber, with no question and no look at
    the mail first."""
    from dateline.edition.models import Subscriber

    Subscriber.objects.create(email="a@example.org", confirmed_at=timezone.now())
    Subscriber.objects.create(email="b@example.org", confirmed_at=timezone.now())
    Subscriber.objects.create(email="c@example.org")  # never confirmed
    with time_machine.travel(at(DAY - timedelta(days=1), 18, 0)):
        page = editor.get(change_page(edition)).text
        assert f'href="{LIST}{edition.pk}/send/"' in page
        asked = editor.get(f"{LIST}{edition.pk}/send/").text
    assert "Send to 2 subscribers now" in asked
    assert "goes out on its own on Wednesday, 11 December 2024, at 07:00" in asked
    assert "sends it before its day" in asked
    assert not DBTaskResult.objects.exists()
    mail = editor.get(f"{LIST}{edition.pk}/mail/")
    assert "script-src" not in mail["Content-Security-Policy"]
    assert "default-src 'none'" in mail["Content-Security-Policy"]
    assert edition.items.first().article.headline in mail.text
    assert not DBTaskResult.objects.exists()


def test_send_now_queues_the_morning_run_at_once(editor, edition):
    with time_machine.travel(at(DAY, 6, 0)):
        response = editor.post(f"{LIST}{edition.pk}/send/", follow=True)
    assert "Sending now: the background worker tops up the edition of Wednesday, 11 " \
           "December 2024 and sends it" in response.text
    queued = DBTaskResult.objects.get()
    assert queued.task_path == publish_edition.module_path
    assert queued.args_kwargs["args"] == ["2024-12-11"]
    assert queued in DBTaskResult.objects.ready()  # no delay: the worker takes it now


def test_send_now_refuses_a_sent_edition_and_a_past_day(editor, edition):
    with time_machine.travel(at(DAY + timedelta(days=1), 9, 0)):
        past = editor.post(f"{LIST}{edition.pk}/send/", follow=True)
        assert "is of a past day: only today&#x27;s or the next edition" in past.text
        Edition.objects.filter(pk=edition.pk).update(
            status=Edition.Status.SENT, sent_at=at(DAY, 7, 2))
        sent = editor.post(f"{LIST}{edition.pk}/send/", follow=True)
        assert "was sent (11 December 2024, 07:02); it is never sent twice." in sent.text
        assert "Send now" not in sent.text.replace("Sending now", "")
    assert not DBTaskResult.objects.exists()


def test_the_buttons_are_posts_with_a_csrf_token(make_user, edition):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    assert client.get(f"{LIST}{edition.pk}/send/").status_code in (200, 302)  # asks, or not
    assert client.post(f"{LIST}{edition.pk}/send/").status_code == 403
    assert client.post(f"{LIST}open-next/").status_code == 403
    assert 'name="csrfmiddlewaretoken"' in client.get(change_page(edition)).text
    assert not DBTaskResult.objects.exists()
