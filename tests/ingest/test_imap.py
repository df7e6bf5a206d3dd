"""The imap service against a real IMAP server on loopback (pymap), polled as the worker does."""

import itertools
import runpy

import pytest

from dateline.ingest.models import FailedPayload, Item
from dateline.ingest.polling import poll
from dateline.ingest.services.imap import Mailbox
from dateline.settings import base as base_settings
from tests.ingest import sample_mail
from tests.ingest.imap_server import PASSWORD, USER, IMAPServer
from tests.ingest.sample_feeds import stories

_mailboxes = itertools.count(1)


@pytest.fixture(scope="module")
def imap_server():
    server = IMAPServer()
    yield server
    server.close()


@pytest.fixture
def mailbox(imap_server):
    """A mailbox of its own for each test, on the one server."""
    return f"Partner{next(_mailboxes)}"


@pytest.fixture(autouse=True)
def _mail_settings(settings, imap_server):
    settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN = True  # loopback, no certificate to show
    settings.DATELINE_INGEST_IMAP_PASSWORDS = {f"{USER}@127.0.0.1": PASSWORD}


@pytest.fixture
def mail_feed(make_feed, imap_server, mailbox):
    return make_feed(imap_server.url(mailbox), service="imap", outlet_name="Agence Exemple")


def test_two_polls_store_each_message_once(imap_server, mailbox, mail_feed):
    records = stories(3)
    imap_server.deliver(mailbox, *[sample_mail.story_mail(record) for record in records[:2]])

    first = poll(mail_feed)
    second = poll(mail_feed)
    imap_server.deliver(mailbox, sample_mail.story_mail(records[2]))
    third = poll(mail_feed)

    assert (first.ok, first.created) == (True, 2)
    assert (second.ok, second.created, second.not_modified) == (True, 0, True)
    assert (third.ok, third.created) == (True, 1)
    items = Item.objects.filter(feed=mail_feed).order_by("published_at")
    assert [item.headline for item in items] == [record["title"] for record in records]
    first_item = items[0]
    assert first_item.guid == f"<{records[0]['id']}@agency.example>"
    assert first_item.author == "Agence Exemple"
    assert first_item.published_at == records[0]["date"]
    assert "TimeWarner jumped 76%" in first_item.body
    validity, last = mail_feed.etag.split(":")
    assert validity.isdigit() and last.isdigit()


def test_messages_are_left_unread_and_in_place(imap_server, mailbox, mail_feed):
    imap_server.deliver(mailbox, *sample_mail.sample(2))

    assert poll(mail_feed).created == 2

    flags = imap_server.flags(mailbox)
    assert len(flags) == 2  # nothing deleted or moved
    assert not any(b"\\Seen" in line for line in flags), flags


def test_a_message_over_the_size_cap_is_skipped_in_words(settings, imap_server, mailbox,
                                                         mail_feed):
    small, large = stories(2)
    large["body"] = "\n\n".join([large["body"]] * 40)
    settings.DATELINE_INGEST_MAX_BYTES = 20_000
    imap_server.deliver(mailbox, sample_mail.story_mail(small),
                        sample_mail.story_mail(large))

    first = poll(mail_feed)
    again = poll(mail_feed)

    assert (first.ok, first.created) == (True, 1)
    assert list(Item.objects.filter(feed=mail_feed).values_list("headline", flat=True)) == [
        small["title"]]
    failed = FailedPayload.objects.get(feed=mail_feed)
    assert failed.error.startswith("The message UID ")
    assert failed.error.endswith(f" in {mailbox} is larger than 20 KB (90 KB); it was not "
                                 "downloaded")
    # Remembered as read: the next poll neither downloads it nor records it again.
    assert again.not_modified and FailedPayload.objects.filter(feed=mail_feed).count() == 1


def test_ninjs_attachments_become_items(imap_server, mailbox, mail_feed):
    records = stories(3)
    imap_server.deliver(mailbox, sample_mail.mail_with_ninjs(records))

    outcome = poll(mail_feed)

    assert (outcome.ok, outcome.created) == (True, 3)
    items = Item.objects.filter(feed=mail_feed)
    assert sorted(item.guid for item in items) == sorted(
        f"urn:agency.example:{record['id']}" for record in records)
    # The cover note is not an item of its own: the stories are the attachments.
    assert not items.filter(headline__contains="stories attached").exists()


def test_an_html_only_message_is_sanitised(imap_server, mailbox, mail_feed):
    imap_server.deliver(mailbox, sample_mail.story_mail(stories(1)[0], html=True))

    poll(mail_feed)

    item = Item.objects.get(feed=mail_feed)
    assert "<p>Quarterly profits" in item.body
    assert "script" not in item.body and "alert" not in item.body


def test_a_new_uidvalidity_reads_again_without_duplicates(imap_server, mailbox, mail_feed):
    imap_server.deliver(mailbox, *sample_mail.sample(2))
    assert poll(mail_feed).created == 2
    validity, last = mail_feed.etag.split(":")
    # As after the server rebuilt the mailbox: the remembered numbers mean nothing now.
    mail_feed.etag = f"{int(validity) + 1}:{last}"
    mail_feed.save(update_fields=["etag"])

    outcome = poll(mail_feed)

    assert (outcome.ok, outcome.created) == (True, 0)
    assert Item.objects.filter(feed=mail_feed).count() == 2
    assert mail_feed.etag == f"{validity}:{last}"


def test_a_poll_reads_at_most_a_batch(settings, imap_server, mailbox, mail_feed):
    settings.DATELINE_INGEST_IMAP_BATCH = 2
    imap_server.deliver(mailbox, *sample_mail.sample(3))

    assert [poll(mail_feed).created for _ in range(3)] == [2, 1, 0]


def test_a_wrong_password_is_a_failure_in_words(settings, imap_server, mailbox, mail_feed):
    settings.DATELINE_INGEST_IMAP_PASSWORDS = {f"{USER}@127.0.0.1": "wrong"}

    outcome = poll(mail_feed)

    mail_feed.refresh_from_db()
    assert not outcome.ok
    assert mail_feed.failures == 1
    assert mail_feed.last_error.startswith(
        f"The mail server refused the login for {USER}@127.0.0.1: ")
    assert "wrong" not in mail_feed.last_error  # never the password


def test_a_missing_password_says_how_to_set_it(settings, mail_feed):
    settings.DATELINE_INGEST_IMAP_PASSWORDS = {}

    assert not poll(mail_feed).ok
    mail_feed.refresh_from_db()
    assert mail_feed.last_error == (
        f'No password is set for {USER}@127.0.0.1: set DATELINE_IMAP_PASSWORD_<NAME>='
        f'"{USER}@127.0.0.1 <password>" in the server\'s environment')


def test_a_missing_mailbox_is_a_failure_in_words(imap_server, make_feed):
    feed = make_feed(imap_server.url("NoSuchBox"), service="imap")

    assert not poll(feed).ok
    feed.refresh_from_db()
    assert feed.last_error.startswith("The mailbox NoSuchBox could not be opened")


def test_plain_imap_is_refused_unless_allowed(settings, imap_server, mailbox, mail_feed):
    imap_server.deliver(mailbox, *sample_mail.sample(1))
    settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN = False

    refused = poll(mail_feed)
    mail_feed.refresh_from_db()
    settings.DATELINE_INGEST_IMAP_ALLOW_PLAIN = True
    allowed = poll(mail_feed)

    assert not refused.ok
    assert refused.error.startswith("Plain imap:// would send the password unencrypted: use "
                                    "imaps:// (port 993)")
    assert mail_feed.last_error == refused.error
    assert (allowed.ok, allowed.created) == (True, 1)


def test_imaps_speaks_tls_and_says_so_when_the_server_does_not(imap_server, mailbox,
                                                               make_feed):
    feed = make_feed(imap_server.url(mailbox, scheme="imaps"), service="imap")

    outcome = poll(feed)

    # The loopback server speaks plain IMAP: the TLS handshake fails, the password unsent.
    assert not outcome.ok
    assert outcome.error.startswith("The secure connection to 127.0.0.1 failed"), outcome.error


@pytest.mark.parametrize(("url", "words"), [
    ("imaps://127.0.0.1/INBOX", "names no user"),
    ("imaps://wire:secret@127.0.0.1/INBOX", "The feed URL holds a password"),
    ("https://127.0.0.1/INBOX", "is not a mailbox address"),
    ("imaps://wire@127.0.0.1/Bo%22x", "cannot be asked for"),
])
def test_a_bad_mailbox_url_is_a_failure_in_words(make_feed, url, words):
    feed = make_feed(url, service="imap")

    outcome = poll(feed)

    assert not outcome.ok and words in outcome.error
    assert "secret" not in outcome.error


def test_a_private_address_is_refused_unless_allowed(settings, mail_feed):
    settings.DATELINE_INGEST_ALLOW_PRIVATE = False

    outcome = poll(mail_feed)

    assert outcome.error == "127.0.0.1 is a private or local address; refused"


def test_passwords_are_read_from_the_environment_by_account(monkeypatch, settings):
    monkeypatch.setenv("DATELINE_IMAP_PASSWORD_AGENCY", "desk@agency.example@IMAP.Agency.example "
                                                        "a pass: with spaces")
    monkeypatch.setenv("DATELINE_IMAP_PASSWORD_HALF", "nobody@imap.example")  # no password

    passwords = runpy.run_path(base_settings.__file__)["DATELINE_INGEST_IMAP_PASSWORDS"]
    settings.DATELINE_INGEST_IMAP_PASSWORDS = passwords

    assert "nobody@imap.example" not in passwords
    # The user as written (an address, percent-encoded in the URL), the host in any case.
    mailbox = Mailbox.of("imaps://desk%40agency.example@imap.agency.example/Wire")
    assert (mailbox.account, mailbox.mailbox) == ("desk@agency.example@imap.agency.example",
                                                  "Wire")
    assert mailbox.password() == "a pass: with spaces"
