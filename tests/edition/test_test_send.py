"""A test copy of the edition to the editor's own address, before subscribers get it."""

from datetime import date, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from dateline.edition.assembly import build_edition
from dateline.edition.models import Delivery, Edition, Subscriber
from tests.edition import test_sending
from tests.edition.test_sending import subscribers
from tests.submissions.conftest import free_port, use_smtp

pytestmark = pytest.mark.django_db
LIST = "/desk/edition/edition/"
inbox = test_sending.inbox  # a real SMTP server on loopback


DAY = date(2024, 12, 11)


@pytest.fixture
def edition(make_article, make_section):
    world = make_section("World", position=1)
    make_article("Talks resume in Geneva", section=world,
                 published_at=timezone.make_aware(datetime(2024, 12, 11, 2)))
    return build_edition(DAY)


def editor_with(desk_client, make_user, address: str):
    user = make_user("Editor")
    User.objects.filter(pk=user.pk).update(email=address)
    return desk_client(User.objects.get(pk=user.pk))


def test_a_test_copy_goes_to_the_editor_alone_and_counts_as_nothing_sent(
        desk_client, make_user, edition, inbox):
    subscribers(3)
    editor = editor_with(desk_client, make_user, "ann@agency.example")
    page = editor.get(f"{LIST}{edition.pk}/change/").text
    assert "Send a test to me (ann@agency.example)" in page
    done = editor.post(f"{LIST}{edition.pk}/test/", follow=True)
    assert "A test copy of the edition of" in done.text
    assert "went to ann@agency.example" in done.text
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ann@agency.example"]]
    mail = inbox.messages[0]
    assert mail["Subject"].startswith("[Test] ")
    assert mail["List-Unsubscribe"] is None  # no one's link
    # Otherwise as subscribers get it: named on the site's domain, filed under the list.
    from urllib.parse import urlsplit

    from django.conf import settings

    domain = urlsplit(settings.DATELINE_SITE_URL).hostname
    assert mail["Message-ID"].endswith(f"@{domain}>") and domain in mail["List-Id"]
    text = mail.get_body(("plain",)).get_content()
    assert "Talks resume in Geneva" in text and "(none in a test copy)" in text
    assert not Delivery.objects.exists()
    assert Edition.objects.get(pk=edition.pk).status == Edition.Status.DRAFT
    assert Subscriber.objects.count() == 3


def test_the_send_now_question_offers_a_test_and_comes_back_to_it(
        desk_client, make_user, edition, inbox):
    editor = editor_with(desk_client, make_user, "ann@agency.example")
    with time_machine.travel(timezone.make_aware(datetime(2024, 12, 10, 18))):
        asked = editor.get(f"{LIST}{edition.pk}/send/").text
        assert f'action="{LIST}{edition.pk}/test/"' in asked
        back = editor.post(f"{LIST}{edition.pk}/test/", {"back": "send"})
    assert back.status_code == 302 and back["Location"] == f"{LIST}{edition.pk}/send/"


def test_an_account_without_an_address_is_told_so(desk_client, make_user, edition, inbox):
    editor = desk_client(make_user("Editor"))
    told = editor.post(f"{LIST}{edition.pk}/test/", follow=True)
    assert "Your account has no e-mail address to send a test to: ask whoever manages the " \
        "desk&#x27;s accounts to add one." in told.text  # an editor has no Users page
    assert inbox.envelopes == []


def test_test_copies_are_limited(desk_client, make_user, edition, inbox):
    editor = editor_with(desk_client, make_user, "ann@agency.example")
    for _ in range(5):
        editor.post(f"{LIST}{edition.pk}/test/")
    refused = editor.post(f"{LIST}{edition.pk}/test/", follow=True)
    assert "5 test copies in 10 minutes is the most" in refused.text
    assert len(inbox.envelopes) == 5


def test_a_mail_server_that_is_down_is_said_not_a_500(
        desk_client, make_user, edition, settings):
    use_smtp(settings, free_port())  # nothing listens there
    editor = editor_with(desk_client, make_user, "ann@agency.example")
    told = editor.post(f"{LIST}{edition.pk}/test/", follow=True)
    assert told.status_code == 200
    assert "The mail server did not take the test copy" in told.text


def test_only_editors_send_tests(desk_client, make_user, edition, inbox):
    reporter = make_user("Reporter")
    User.objects.filter(pk=reporter.pk).update(email="rep@agency.example")
    client = desk_client(User.objects.get(pk=reporter.pk))
    assert client.post(f"{LIST}{edition.pk}/test/").status_code == 403
    assert client.get(f"{LIST}{edition.pk}/test/").status_code == 405
    assert inbox.envelopes == []
