"""The same form page sent twice (a double click, a POST the browser sends again) is one
report, counted, mailed and stored once; the reader gets the same receipt both times."""


import lxml.html
import pytest
from django.test import Client

from dateline.submissions.forms import ReportForm
from dateline.submissions.intake import do_receive_report
from dateline.submissions.models import Submission
from tests.at_once import at_once, need_two_writers

FORM = "/report/"


def page_key(client) -> str:
    """The one-time key the form page carries, as a browser would send it back."""
    doc = lxml.html.fromstring(client.get(FORM).content.decode())
    (field,) = doc.xpath('//form[@class="report-form"]//input[@name="sending"]')
    assert field.get("type") == "hidden"
    return field.get("value")


def receipt(client, location: str) -> bytes:
    """The receipt page at `location`, its own signed address written as one placeholder."""
    signed = location.rstrip("/").rsplit("/", 1)[-1]
    return client.get(location).content.replace(signed.encode(), b"(this receipt)")


@pytest.mark.django_db
def test_a_page_sent_twice_is_one_report_with_one_set_of_mails(
        client, report_fields, smtp_inbox):
    key = page_key(client)
    first = client.post(FORM, {**report_fields, "sending": key})
    again = client.post(FORM, {**report_fields, "sending": key})
    assert first.status_code == again.status_code == 302
    # The same receipt: the same report's signed link (signed at each answer, so the second
    # may carry a later second's stamp: comparing whole links failed across a second's turn).
    assert first["Location"].partition(":")[0] == again["Location"].partition(":")[0]
    # The receipt pages name their own address (its stamp too): the same page but for that.
    assert receipt(client, first["Location"]) == receipt(client, again["Location"])
    report = Submission.objects.get()
    assert report.sent_with == key
    mailed = len(smtp_inbox.envelopes)
    assert mailed >= 1  # the reader's receipt (and the desk's notice)
    client.post(FORM, {**report_fields, "sending": key})
    assert len(smtp_inbox.envelopes) == mailed


@pytest.mark.django_db
def test_each_page_has_its_own_key_and_two_pages_are_two_reports(client, report_fields):
    first, second = page_key(client), page_key(client)
    assert first != second and len(first) >= 32
    for key, text in ((first, "A tram left the rails."), (second, "A second tram too.")):
        answer = client.post(FORM, {**report_fields, "text": text, "sending": key})
        assert answer.status_code == 302
    assert Submission.objects.count() == 2


@pytest.mark.django_db
def test_the_same_report_sent_from_another_page_is_the_one_filed(
        client, report_fields, smtp_inbox):
    """Back from the thanks page gives a new form page, which Chromium refills (the terms
    ticked too): "Send my report" again filed it twice, mailed twice and counted against the
    reader's limit."""
    first = client.post(FORM, {**report_fields, "sending": page_key(client)})
    mailed = len(smtp_inbox.envelopes)
    again = client.post(FORM, {**report_fields, "sending": page_key(client),
                               "text": report_fields["text"].replace("\n\n", "\n\n ") + " "})
    assert again.status_code == 302
    assert again["Location"].partition(":")[0] == first["Location"].partition(":")[0]
    assert Submission.objects.count() == 1 and len(smtp_inbox.envelopes) == mailed
    page = client.get(again["Location"]).content.decode()
    assert "You had sent this report already, on " in page
    assert "not twice" not in client.get(first["Location"]).content.decode()
    # Another address, or other words, is another report.
    client.post(FORM, {**report_fields, "email": "ivan@example.org",
                       "sending": page_key(client)})
    client.post(FORM, {**report_fields, "headline": "Second tram derails",
                       "sending": page_key(client)})
    assert Submission.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "short", "x" * 44, "<script>alert(1)</script>" * 2])
def test_a_page_without_a_key_of_ours_is_stored_each_time(client, report_fields, sent):
    for text in ("A tram left the rails.", "A second tram too."):
        answer = client.post(FORM, {**report_fields, "text": text, "sending": sent})
        assert answer.status_code == 302
    assert Submission.objects.count() == 2
    assert set(Submission.objects.values_list("sent_with", flat=True)) == {None}


@pytest.mark.django_db
def test_a_refused_page_keeps_its_key_so_the_corrected_one_is_still_one_report(
        client, report_fields):
    key = page_key(client)
    refused = client.post(FORM, {**report_fields, "email": "not an address", "sending": key})
    assert refused.status_code == 400
    doc = lxml.html.fromstring(refused.content.decode())
    assert doc.xpath('//input[@name="sending"]/@value') == [key]
    client.post(FORM, {**report_fields, "sending": key})
    client.post(FORM, {**report_fields, "sending": key})
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_when_the_key_is_taken_meanwhile_the_first_report_is_the_answer(
        rf, report_fields):
    key = page_key(Client())
    form = ReportForm({**report_fields, "sending": key})
    assert form.is_valid()
    request = rf.post(FORM, REMOTE_ADDR="198.51.100.7")
    first, created = do_receive_report(form, request)
    assert created
    # The second request's look for the key came before the first stored it: its insert
    # meets the unique key, and it answers with the first report instead.
    second, created = do_receive_report(form, request)
    assert (second, created) == (first, False)
    assert Submission.objects.count() == 1
    assert first.log.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sends_at_once_store_one_report(report_fields):
    need_two_writers()
    key = page_key(Client())
    answers = at_once(lambda: Client().post(FORM, {**report_fields, "sending": key}))
    assert [a.status_code for a in answers] == [302, 302]
    # The same report's receipt (the later may say it had it already, and be signed a
    # second later).
    assert len({a["Location"].partition(":")[0] for a in answers}) == 1
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_the_same_words_about_another_story_are_another_report(
        client, report_fields, make_article):
    """The same address, headline and text sent from two stories' pages was "sent already":
    the second story was never recorded."""
    first, second = make_article("Tram derails"), make_article("Second tram derails")
    for story in (first, second, second):
        client.post(FORM, {**report_fields, "story": story.pk, "sending": page_key(client)})
    assert Submission.objects.count() == 2
    logs = {s.log.get(action="received").note for s in Submission.objects.all()}
    assert {f"/articles/{first.pk}/" in n for n in logs} == {True, False}
