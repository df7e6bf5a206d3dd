"""The email parser: one message, one item; hostile mail refused in words, never a crash."""

import base64
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.ingest.parsers import ParseError, detect, parse
from dateline.ingest.parsers.mail import MAX_DEPTH, MAX_HEADER_BYTES
from dateline.ingest.services.mail import payloads_of
from tests.ingest import sample_mail
from tests.ingest.sample_feeds import stories

pytestmark = pytest.mark.one_engine


def mail(*headers: bytes, body: bytes = b"The text.") -> bytes:
    return b"\r\n".join([*headers, b"", body])


def test_a_story_mail_gives_headline_body_author_date_and_guid():
    record = stories(1)[0]

    result = parse(sample_mail.story_mail(record))

    assert result.format == "email"
    item = result.items[0]
    assert item.headline == "Ad sales boost Time Warner profit"
    assert item.body.startswith("<p>Quarterly profits at US media giant TimeWarner jumped")
    assert item.author == "Agence Exemple"
    assert item.guid == "<bbc-business-001@agency.example>"
    assert item.published_at == record["date"]
    assert item.language == "en"


def test_encoded_headers_are_decoded():
    item = parse(mail(b"From: =?utf-8?b?SsO8cmdlbiBNw7xsbGVy?= <j@agency.example>",
                      b"Subject: =?iso-8859-1?q?Caf=E9_prices_rise_in_Sofia?=",
                      b"Date: Tue, 10 Jun 2025 06:00:00 +0200",
                      b"Message-ID: <cafe@agency.example>")).items[0]

    assert (item.headline, item.author) == ("Café prices rise in Sofia", "Jürgen Müller")
    assert item.published_at == datetime(2025, 6, 10, 4, tzinfo=UTC)
    assert item.published_offset == "+02:00"


def test_a_from_without_a_name_gives_its_address():
    item = parse(mail(b"From: desk@agency.example", b"Subject: Headline")).items[0]

    assert item.author == "desk@agency.example"


@pytest.mark.parametrize(("date", "flag"), [
    (b"Tue, 10 Jun 2025 04:00:00", "no zone"),
    (b"Tue, 10 Jun 2125 04:00:00 +0000", "in the future"),
    (b"the day before yesterday", "unreadable"),
])
def test_dates_are_judged_as_every_parsers_are(date, flag):
    item = parse(mail(b"From: a@agency.example", b"Subject: Headline",
                      b"Date: " + date)).items[0]

    assert flag in item.date_flags


def test_text_plain_is_preferred_to_html():
    message = mail(b"From: a@agency.example", b"Subject: Both", b"MIME-Version: 1.0",
                   b'Content-Type: multipart/alternative; boundary="b"', body=(
                       b"--b\r\nContent-Type: text/html\r\n\r\n<p>The HTML</p>\r\n"
                       b"--b\r\nContent-Type: text/plain\r\n\r\nThe plain text\r\n--b--\r\n"))

    assert parse(message).items[0].body == "<p>The plain text</p>"


def test_html_only_is_sanitised():
    message = mail(b"From: a@agency.example", b"Subject: HTML",
                   b"Content-Type: text/html; charset=utf-8",
                   body=b'<p onclick="x()">Story</p><script>steal()</script>'
                        b'<a href="javascript:x()">link</a>')

    body = parse(message).items[0].body

    assert "Story" in body
    assert not any(bad in body for bad in ("script", "steal", "onclick", "javascript"))


def test_an_unknown_charset_is_read_with_replacement_characters():
    message = mail(b"From: a@agency.example", b"Subject: Odd charset",
                   b"Content-Type: text/plain; charset=x-no-such-charset", body=b"Caf\xe9 open")

    assert parse(message).items[0].body == "<p>Caf\ufffd open</p>"


def test_base64_garbage_is_read_or_refused_in_words():
    message = mail(b"From: a@agency.example", b"Subject: Garbage",
                   b"Content-Type: text/plain; charset=utf-8",
                   b"Content-Transfer-Encoding: base64", body=b"!!@@## not base64 \xff\xfe")

    assert parse(message).items[0].headline == "Garbage"


def test_huge_headers_are_refused_in_words():
    message = mail(b"From: a@agency.example",
                   b"Subject: " + b"=?utf-8?q?x?= " * (MAX_HEADER_BYTES // 10))

    with pytest.raises(ParseError, match=r"^The message's headers are larger than 256 KB\.$"):
        parse(message, hint="email")


def nested(depth: int) -> bytes:
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n'
                       % (level, level) for level in range(depth))
    return b"From: a@agency.example\r\nSubject: Nested\r\n" + opening + (
        b"Content-Type: text/plain\r\n\r\nDeep text\r\n")


def test_nesting_is_followed_only_so_deep():
    assert parse(nested(3)).items[0].body == "<p>Deep text</p>"
    with pytest.raises(ParseError, match=f"more than {MAX_DEPTH} deep|nests too deeply"):
        parse(nested(MAX_DEPTH + 5))
    with pytest.raises(ParseError, match="nests too deeply"):
        parse(nested(2000))


def test_a_message_with_nothing_to_read_is_refused_in_words():
    with pytest.raises(ParseError, match="neither a subject nor any text"):
        parse(mail(b"From: a@agency.example", b"Date: Tue, 10 Jun 2025 04:00:00 +0000",
                   body=b""), hint="email")


def test_detection_knows_a_message_and_leaves_other_formats_alone():
    assert detect(sample_mail.story_mail(stories(1)[0])).name == "email"
    assert detect(b"anything", "message/rfc822").name == "email"
    assert detect(b'{"uri": "urn:x", "headline": "H"}').name == "ninjs"


def test_a_message_with_a_ninjs_attachment_gives_the_attachment_as_payload():
    records = stories(2)

    payloads = payloads_of(sample_mail.mail_with_ninjs(records), "UID 7 in INBOX")

    assert [payload.name for payload in payloads] == [
        f"UID 7 in INBOX, attachment {record['id']}.json" for record in records]
    assert [parse(payload.body).items[0].headline for payload in payloads] == [
        record["title"] for record in records]


def test_an_attachment_no_parser_reads_leaves_the_message_as_the_item():
    message = mail(b"From: a@agency.example", b"Subject: With a photo", b"MIME-Version: 1.0",
                   b'Content-Type: multipart/mixed; boundary="b"', body=(
                       b"--b\r\nContent-Type: text/plain\r\n\r\nCaption text\r\n--b\r\n"
                       b"Content-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
                       b"Content-Disposition: attachment; filename=photo.jpg\r\n\r\n"
                       + base64.b64encode(b"\xff\xd8\xff\xe0 not really a jpeg") + b"\r\n--b--"))

    [payload] = payloads_of(message, "UID 8 in INBOX")

    assert (payload.content_type, payload.body) == ("message/rfc822", message)
    assert parse(payload.body).items[0].headline == "With a photo"


def test_an_attachment_with_nothing_to_read_is_read_with_a_warning_saying_so():
    # Found by the property test below: a cut through a mail left the second attachment a
    # well-formed ninjs whose only field was its uri, holding the story's garbled text.
    message = EmailMessage()
    message["Subject"] = "1 story attached"
    message.set_content("Today's story is attached as ninjs.")
    message.add_attachment(b'{"uri": "d said the US trade deficit is set to stabilise."}',
                           maintype="application", subtype="json", filename="story.json")

    (payload,) = payloads_of(bytes(message), "UID 9 in INBOX")
    result = parse(payload.body, content_type=payload.content_type)

    assert result.items == []
    assert result.warnings == ["1 item(s) had no headline, title or text and were skipped."]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_mail_splits_into_payloads_that_read_or_fail_in_words(data):
    records = stories(2)
    message = data.draw(st.sampled_from([sample_mail.story_mail(records[0]),
                                         sample_mail.mail_with_ninjs(records)]))
    start = data.draw(st.integers(0, len(message)))
    end = data.draw(st.integers(start, min(len(message), start + 300)))
    junk = data.draw(st.binary(max_size=60) | st.sampled_from(
        [b"\r\n\r\n", b"--", b"=?utf-8?b?", b"Content-Type: multipart/mixed; boundary=x\r\n",
         b"Content-Transfer-Encoding: base64\r\n", b"\xff\xfe", b"\x00"]))

    for payload in payloads_of(message[:start] + junk + message[end:], "UID 1 in INBOX"):
        try:
            result = parse(payload.body, content_type=payload.content_type)
        except ParseError as exc:
            assert str(exc)
            assert "parser could not read this payload" not in str(exc), str(exc)
        else:
            # Read: its stories, or a warning that says why none came of it (a mutation can
            # leave a well-formed ninjs whose only item has no headline, title or text).
            assert result.items or result.warnings
