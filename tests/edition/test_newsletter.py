"""Subscribing (double opt-in), unsubscribing (one click) and the newsletter mail, read back from
a real SMTP server on loopback."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from dateline.edition.assembly import build_edition
from dateline.edition.models import Subscriber
from dateline.edition.newsletter import unsubscribe_url
from dateline.edition.sending import send_edition
from tests.submissions import conftest as mail_server
from tests.submissions.conftest import free_port, use_smtp

pytestmark = pytest.mark.django_db
SITE = "https://news.example.org"
smtp_inbox = mail_server.smtp_inbox  # the fixture: a real SMTP server on loopback
DAY = date(2024, 12, 11)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.DATELINE_SITE_URL = SITE


def link_in(text: str, path_start: str) -> str:
    """The one absolute link in the text whose path starts so, as a path for the test client."""
    links = set(re.findall(re.escape(SITE) + re.escape(path_start) + r"[^\s\"<>]+", text))
    assert len(links) == 1, links
    return urlsplit(links.pop()).path


def parts(message) -> tuple[str, str]:
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


def subscribe(client, email: str, **extra):
    return client.post("/edition/subscribe/", {"email": email, "website": "", **extra})


def confirm_link(inbox, email: str) -> str:
    text, html = parts(inbox.to(email)[-1])
    path = link_in(text, "/edition/subscribe/confirm/")
    assert link_in(html, "/edition/subscribe/confirm/") == path
    return path


def active(email: str) -> bool:
    return Subscriber.objects.get(email=email).is_active


def test_the_form_is_a_page_of_its_own_that_no_cache_keeps(client):
    response = client.get("/edition/subscribe/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page and 'name="website"' in page
    assert "no-store" in response["Cache-Control"] and "Surrogate-Key" not in response


def test_double_opt_in_starts_the_newsletter_only_when_the_link_is_followed(client, smtp_inbox):
    response = subscribe(client, "ana@example.org")
    assert response.status_code == 302 and response["Location"] == "/edition/subscribe/sent/"
    assert not active("ana@example.org")
    (mail,) = smtp_inbox.to("ana@example.org")
    assert mail["Subject"] == "Confirm your subscription to Dateline Morning News"
    assert mail["Message-ID"].endswith(f"@{urlsplit(SITE).hostname}>")
    link = confirm_link(smtp_inbox, "ana@example.org")
    sent = client.get(response["Location"]).content.decode()
    assert "Check your inbox" in sent
    # The latest edition may be an archive's, of 1987: it is not "today's".
    assert "Read the latest edition" in sent and "today's edition" not in sent

    # Opening the link (as a mail scanner does) only shows the button...
    page = client.get(link)
    assert page.status_code == 200 and "Yes, subscribe me" in page.content.decode()
    assert not active("ana@example.org")
    # ...which the reader presses.
    page = client.post(link)
    assert page.status_code == 200 and "You are subscribed" in page.content.decode()
    confirmed_at = Subscriber.objects.get(email="ana@example.org").confirmed_at
    assert confirmed_at is not None
    assert client.post(link).status_code == 200  # again: nothing changes
    assert "You are subscribed" in client.get(link).content.decode()
    assert Subscriber.objects.get(email="ana@example.org").confirmed_at == confirmed_at


def test_the_confirmation_button_needs_the_csrf_token(client, smtp_inbox):
    from django.test import Client

    subscribe(client, "hal@example.org")
    reader = Client(enforce_csrf_checks=True)
    link = confirm_link(smtp_inbox, "hal@example.org")
    assert reader.post(link).status_code == 403
    page = reader.get(link).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert reader.post(link, {"csrfmiddlewaretoken": token}).status_code == 200
    assert active("hal@example.org")


def test_the_answer_does_not_tell_whether_an_address_is_subscribed(client, smtp_inbox):
    Subscriber.objects.create(email="ben@example.org", confirmed_at=timezone.now())
    known = subscribe(client, "Ben@Example.org")
    unknown = subscribe(client, "new@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp_inbox.to("ben@example.org")) == len(smtp_inbox.to("new@example.org")) == 1
    assert Subscriber.objects.filter(email__iexact="ben@example.org").count() == 1
    client.post(confirm_link(smtp_inbox, "ben@example.org"))
    assert active("ben@example.org")


def test_after_unsubscribing_a_reader_comes_back_through_the_same_double_opt_in(
    client, smtp_inbox
):
    reader = Subscriber.objects.create(email="cleo@example.org", confirmed_at=timezone.now())
    client.post(urlsplit(unsubscribe_url(reader)).path)
    assert not active("cleo@example.org")
    subscribe(client, "cleo@example.org")
    assert not active("cleo@example.org")  # asking is not enough
    client.post(confirm_link(smtp_inbox, "cleo@example.org"))
    reader.refresh_from_db()
    assert reader.is_active and reader.unsubscribed_at is None


def test_an_expired_confirmation_link_says_so_and_confirms_nothing(client, smtp_inbox):
    subscribe(client, "dan@example.org")
    link = confirm_link(smtp_inbox, "dan@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = client.post(link)
    assert page.status_code == 410
    assert "This confirmation link has expired" in page.content.decode()
    assert not active("dan@example.org")


def test_a_changed_link_gives_a_clear_page_and_changes_nothing(client, smtp_inbox):
    reader = Subscriber.objects.create(email="eve@example.org", confirmed_at=timezone.now())
    subscribe(client, "fay@example.org")
    confirm = confirm_link(smtp_inbox, "fay@example.org")
    leave = urlsplit(unsubscribe_url(reader)).path
    tampered = [confirm[:-3] + ("A" if confirm[-3] != "A" else "B") + confirm[-2:],
                "/edition/subscribe/confirm/not-a-token/",
                leave.replace("/edition/unsubscribe/", "/edition/subscribe/confirm/")]
    for path in tampered:
        page = client.get(path)
        assert page.status_code == 404 and "This link does not work" in page.content.decode()
    other = leave.replace(f"/{reader.pk}:", f"/{reader.pk + 1}:")
    assert client.post(other).status_code == 404
    assert client.post("/edition/unsubscribe/garbage/").status_code == 404
    assert active("eve@example.org") and not active("fay@example.org")


def test_unsubscribing_a_get_shows_a_button_a_post_unsubscribes_at_once(client):
    reader = Subscriber.objects.create(email="gus@example.org", confirmed_at=timezone.now())
    path = urlsplit(unsubscribe_url(reader)).path
    page = client.get(path)  # what a mail scanner does: nothing changes
    assert page.status_code == 200 and "<button" in page.content.decode()
    assert "gus@example.org" in page.content.decode() and active("gus@example.org")
    # RFC 8058: the mail provider's POST, without cookie or CSRF token.
    one_click = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200
    assert "You are unsubscribed" in one_click.content.decode()
    assert not active("gus@example.org")
    first = Subscriber.objects.get(pk=reader.pk).unsubscribed_at
    assert client.post(path).status_code == 200  # again: the first time is kept
    assert Subscriber.objects.get(pk=reader.pk).unsubscribed_at == first


def test_a_robot_filling_the_honeypot_is_answered_alike_and_nothing_happens(client, smtp_inbox):
    response = subscribe(client, "bot@example.org", website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == "/edition/subscribe/sent/"
    assert not Subscriber.objects.exists() and smtp_inbox.envelopes == []


def test_a_mistyped_address_is_shown_again_with_the_fix(client):
    response = subscribe(client, "not an address")
    assert response.status_code == 400
    assert "Enter an e-mail address like name@example.org." in response.content.decode()
    # The summary takes the focus, so that a keyboard or screen reader starts on it.
    assert 'class="report-problem" role="alert" tabindex="-1" autofocus' in response.text
    assert not Subscriber.objects.exists()


@pytest.mark.cache  # counted in Redis too under `make test-redis`
def test_sign_ups_are_limited_per_sender_and_mails_per_address(client, smtp_inbox, settings):
    settings.DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS = 1
    settings.DATELINE_NEWSLETTER_SIGNUPS_PER_SENDER = 3
    assert subscribe(client, "hal@example.org").status_code == 302
    again = subscribe(client, "hal@example.org")
    assert again.status_code == 302  # the same answer, but no second mail to that inbox
    assert len(smtp_inbox.to("hal@example.org")) == 1
    assert subscribe(client, "ida@example.org").status_code == 302
    refused = subscribe(client, "joe@example.org")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Please wait before you try again" in refused.content.decode()
    assert smtp_inbox.to("joe@example.org") == []


def test_a_mail_server_that_is_down_is_told_to_the_reader(client, settings):
    use_smtp(settings, free_port())  # nothing listens there
    response = subscribe(client, "kim@example.org")
    assert response.status_code == 503
    assert "We could not send the confirmation e-mail" in response.content.decode()


@pytest.fixture
def edition(make_article, make_section, settings):
    settings.DATELINE_EDITION_PER_SECTION = 1  # so that a story runs in brief

    def at(hour: int) -> datetime:
        return timezone.make_aware(datetime(DAY.year, DAY.month, DAY.day, hour))

    world, sport = make_section("World", position=1), make_section("Sport", position=2)
    make_article("Summit agrees on ceasefire", section=world, published_at=at(1),
                 is_top_story=True, standfirst="Leaders sign after talks through the night.")
    make_article("Markets calm after the vote", section=world, published_at=at(2))
    make_article("Cup final goes to extra time", section=sport, published_at=at(3))
    make_article("Talks resume in Geneva", section=world, published_at=at(0))
    return build_edition(DAY)


def test_the_newsletter_carries_the_edition_links_and_the_unsubscribe_headers(
    smtp_inbox, edition
):
    reader = Subscriber.objects.create(email="lia@example.org", confirmed_at=timezone.now())
    assert send_edition(edition) == 1
    (mail,) = smtp_inbox.to("lia@example.org")
    assert mail["To"] == "lia@example.org"
    assert mail["Subject"] == "Dateline Morning News — Wednesday, December 11, 2024"
    assert mail["List-Unsubscribe"] == f"<{unsubscribe_url(reader)}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Named by the site's own domain, not the sending machine's ("…@localhost"), and filed
    # by mail programs under the list's RFC 2919 id.
    domain = urlsplit(SITE).hostname
    assert mail["Message-ID"].endswith(f"@{domain}>")
    assert mail["List-Id"] == f"Dateline Morning News <dateline-morning-news.{domain}>"
    # As sent: the URL itself, not folded into RFC 2047 encoded words.
    raw = smtp_inbox.envelopes[0].content
    assert f"\r\nList-Unsubscribe: <{unsubscribe_url(reader)}>\r\n".encode() in raw
    text, html = parts(mail)
    web = SITE + edition.get_absolute_url()
    for part in (text, html):
        assert "Summit agrees on ceasefire" in part and "Leaders sign after talks" in part
        assert "Cup final goes to extra time" in part and "Markets calm after" in part
        assert "NEWS IN BRIEF" in part.upper() and "Talks resume in Geneva" in part
        assert edition.items.filter(column="brief").count() == 1
        for item in edition.items.all():
            assert SITE + item.article.get_absolute_url() in part
        assert web in part and web + "pdf/" in part
        assert unsubscribe_url(reader) in part
    assert "<img" not in html and "src=" not in html  # nothing fetched from elsewhere
    # The header's link works as RFC 8058 says: a POST, nothing else.
    path = urlsplit(mail["List-Unsubscribe"].strip("<>")).path
    Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click",
                                          content_type="application/x-www-form-urlencoded")
    assert not active("lia@example.org")


def test_sign_ups_never_confirmed_are_forgotten_after_their_link_is_long_dead():
    from dateline.edition.subscriptions import forget_unconfirmed

    now = timezone.now()
    old = Subscriber.objects.create(email="old@example.org", created_at=now - timedelta(days=15))
    fresh = Subscriber.objects.create(email="fresh@example.org",
                                      created_at=now - timedelta(days=13))
    reader = Subscriber.objects.create(email="reader@example.org",
                                       created_at=now - timedelta(days=400),
                                       confirmed_at=now - timedelta(days=399))
    left = Subscriber.objects.create(email="left@example.org",
                                     created_at=now - timedelta(days=400),
                                     confirmed_at=now - timedelta(days=399),
                                     unsubscribed_at=now - timedelta(days=29))
    assert forget_unconfirmed(now) == 1
    assert not Subscriber.objects.filter(pk=old.pk).exists()
    # A pending link still in its week and a bit, a reader, and one who left lately, stay.
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {fresh.pk, reader.pk,
                                                                    left.pk}


def test_a_reader_who_left_is_forgotten_a_month_later_deliveries_and_all(settings):
    """Unsubscribing kept the address, its sign-up and its deliveries for good."""
    from dateline.edition.models import Delivery
    from dateline.edition.subscriptions import forget_unconfirmed

    settings.DATELINE_NEWSLETTER_FORGET_UNSUBSCRIBED_DAYS = 30
    now = timezone.now()
    edition = build_edition(DAY)
    left = Subscriber.objects.create(email="left@example.org",
                                     confirmed_at=now - timedelta(days=99),
                                     unsubscribed_at=now - timedelta(days=31))
    Delivery.objects.create(edition=edition, subscriber=left)
    assert forget_unconfirmed(now) == 2  # the reader and their delivery
    assert not Subscriber.objects.filter(email="left@example.org").exists()
    assert not Delivery.objects.exists()


def test_an_erasure_request_is_one_command(capsys):
    from django.core.management import CommandError, call_command

    Subscriber.objects.create(email="Erase.Me@Example.org", confirmed_at=timezone.now())
    call_command("edition", "forget", " Erase.Me@example.org ")
    assert "Forgotten" in capsys.readouterr().out
    assert not Subscriber.objects.exists()
    with pytest.raises(CommandError, match="No subscriber has that address"):
        call_command("edition", "forget", "erase.me@example.org")


def test_signing_up_again_after_an_expired_link_gives_a_link_that_lives_its_week(
        client, smtp_inbox):
    """The new link's row kept the first try's time: the next morning's clean-up deleted it
    (first try 13 days ago), and the link sent hours before said "This link does not work"."""
    from dateline.edition.subscriptions import forget_unconfirmed

    Subscriber.objects.create(email="late@example.org",
                              created_at=timezone.now() - timedelta(days=13, hours=23))
    subscribe(client, "late@example.org")
    link = confirm_link(smtp_inbox, "late@example.org")
    assert forget_unconfirmed(timezone.now() + timedelta(hours=2)) == 0
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        page = client.post(link)
    assert page.status_code in (200, 302) and active("late@example.org")
