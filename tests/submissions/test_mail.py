"""Mails about a report go through a real SMTP server; a mail that fails loses no report."""

import logging

import pytest

from dateline.submissions.models import Submission

from .conftest import free_port, use_smtp
from .images import phone_jpeg, upload

pytestmark = pytest.mark.django_db

FORM = "/report/"


def parts(message) -> dict[str, str]:
    """Each part's text, with the line ends SMTP gave it (CRLF) read back as Python's."""
    return {part.get_content_type(): part.get_content().replace("\r\n", "\n")
            for part in message.walk() if not part.is_multipart()}


def test_the_reader_gets_the_reference_in_both_parts(client, settings, smtp_inbox,
                                                     report_fields):
    settings.DEFAULT_FROM_EMAIL = "Dateline <newsdesk@dateline.example>"
    settings.DATELINE_NEWSDESK_EMAIL = "desk@dateline.example"
    headline = "Tram <b>derails</b> & stops"
    response = client.post(FORM, {**report_fields, "headline": headline,
                                  "photos": [upload("a.jpg", phone_jpeg())]})
    assert response.status_code == 302
    report = Submission.objects.get()

    [receipt] = smtp_inbox.to("maria@example.org")
    assert receipt["To"] == "maria@example.org"
    assert receipt["From"] == "Dateline <newsdesk@dateline.example>"
    assert receipt["Reply-To"] == "desk@dateline.example"
    assert receipt["Subject"] == f"Your report to Dateline: {report.reference}"
    body = parts(receipt)
    assert set(body) == {"text/plain", "text/html"}
    # Nothing the sender typed goes back out: the address is whatever was typed, and the
    # receipt carried 500 characters of anyone's text to anyone from the newsroom's address.
    for text in body.values():
        assert report.reference in text
        assert "Maria" not in text and "Tram" not in text and "derails" not in text


def test_the_newsdesk_is_told_and_may_reply_to_the_reader(client, settings, smtp_inbox,
                                                          report_fields, make_article):
    settings.DATELINE_NEWSDESK_EMAIL = "desk@dateline.example"
    story = make_article("Floods close the ring road")
    text = "It *started* at 8.\n\n<script>alert(1)</script>"
    client.post(FORM, {**report_fields, "text": text, "story": str(story.pk),
                       "photos": [upload("a.jpg", phone_jpeg())]})
    report = Submission.objects.get()

    [notice] = smtp_inbox.to("desk@dateline.example")
    assert notice["Subject"] == f"Reader report {report.reference}: {report_fields['headline']}"
    assert notice["Reply-To"] == "maria@example.org"
    body = parts(notice)
    assert text in body["text/plain"]  # as written
    assert "Photos: 1" in body["text/plain"]
    assert f"http://testserver{story.get_absolute_url()}" in body["text/plain"]
    assert "http://testserver/desk/" in body["text/plain"]
    # Reader text reaches HTML only through the sanitiser: Markdown yes, scripts no.
    assert "<em>started</em>" in body["text/html"]
    assert "<script>" not in body["text/html"]
    assert [(e.action, e.note) for e in report.log.all()] == [
        ("received", f"Sent with the form, from the story “{story.headline}” "
                     f"({story.get_absolute_url()})."),
        ("e-mailed", "Confirmation sent to maria@example.org."),
        ("e-mailed", "Newsdesk notice sent to desk@dateline.example."),
    ]


def test_a_refused_address_is_logged_and_the_report_kept(client, smtp_inbox, report_fields,
                                                         caplog):
    smtp_inbox.refused.add("maria@example.org")
    with caplog.at_level(logging.WARNING, logger="dateline.submissions.mail"):
        response = client.post(FORM, report_fields)
    assert response.status_code == 302
    report = Submission.objects.get()
    assert client.get(response["Location"]).status_code == 200
    failed = report.log.get(action="e-mail failed")
    assert "Confirmation not sent to maria@example.org" in failed.note
    assert "SMTPRecipientsRefused" in failed.note and "No such mailbox" in failed.note
    assert report.log.filter(action="e-mailed").count() == 1  # the news desk was still told
    assert len(smtp_inbox.messages) == 1
    assert f"report {report.reference}: confirmation not sent" in caplog.text


def test_a_mail_server_that_is_down_loses_no_report(client, settings, report_fields):
    use_smtp(settings, free_port())  # nobody listens there
    response = client.post(FORM, report_fields)
    assert response.status_code == 302
    report = Submission.objects.get()
    assert report.status == Submission.Status.NEW
    assert [e.action for e in report.log.all()] == ["received", "e-mail failed",
                                                    "e-mail failed"]
    assert "ConnectionRefusedError" in report.log.last().note


def test_a_robot_gets_no_mail_and_neither_does_the_desk(client, smtp_inbox, report_fields):
    client.post(FORM, {**report_fields, "website": "spam"})
    assert Submission.objects.get().status == Submission.Status.SPAM
    assert smtp_inbox.messages == []
