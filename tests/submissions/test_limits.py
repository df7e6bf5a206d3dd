"""Limits: request size before reading, reports per sender and per address, kept text on 429.

Marked `cache`: `make test-redis` runs them again with the counters in a real Redis.
"""

import lxml.html
import pytest
from django.test import RequestFactory

from dateline.base.clients import client_network as sender_network
from dateline.base.hashes import address_hash, sender_hash
from dateline.submissions import limits
from dateline.submissions.models import Submission

pytestmark = [pytest.mark.django_db, pytest.mark.cache]

FORM = "/report/"


def test_a_limit_counts_to_its_number_then_refuses_until_its_window_closes():
    limit = limits.RateLimit("test", allowed=2, window=3600)
    assert limit.count("a") is None and limit.count("a") is None
    assert limit.reached("a") is not None
    refusal = limit.count("a")
    assert refusal is not None and 1 <= refusal.retry_after <= 3600
    assert limit.count("b") is None  # another sender has a counter of its own
    assert limit.reached("b") is None and limit.count("b") is None  # looking does not count


def test_too_many_reports_from_one_sender_get_429_with_the_text_kept(
    client, settings, report_fields
):
    settings.DATELINE_SUBMISSION_REPORTS_PER_SENDER = 2
    for i in range(2):
        response = client.post(FORM, {**report_fields, "email": f"reader{i}@example.org"})
        assert response.status_code == 302
    third = {**report_fields, "email": "reader3@example.org", "text": "The third one.\n\nKept."}
    response = client.post(FORM, third)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.DATELINE_SUBMISSION_RATE_WINDOW
    doc = lxml.html.fromstring(response.content.decode())
    assert "try again in about" in doc.xpath("//div[@class='report-problem']")[0].text_content()
    assert doc.get_element_by_id("id_email").get("value") == "reader3@example.org"
    assert doc.get_element_by_id("id_text").text_content().strip() == third["text"]
    assert doc.get_element_by_id("id_consent").get("checked") is not None
    assert Submission.objects.count() == 2
    # Another connection may still send.
    other = client.post(FORM, third, REMOTE_ADDR="192.0.2.50")
    assert other.status_code == 302


def test_one_address_is_limited_whatever_its_case_or_tag_and_wherever_it_sends_from(
    client, settings, report_fields
):
    settings.DATELINE_SUBMISSION_REPORTS_PER_ADDRESS = 1
    first = client.post(FORM, {**report_fields, "email": "Maria@Example.org"},
                        REMOTE_ADDR="192.0.2.1")
    assert first.status_code == 302
    again = client.post(FORM, {**report_fields, "email": "maria+news@example.org"},
                        REMOTE_ADDR="192.0.2.2")
    assert again.status_code == 429 and "Retry-After" in again
    assert Submission.objects.count() == 1


def test_mistakes_count_too_so_a_robot_cannot_retry_forever(client, settings, report_fields):
    settings.DATELINE_SUBMISSION_ATTEMPTS_PER_SENDER = 3
    wrong = {**report_fields, "email": "not an address"}
    assert [client.post(FORM, wrong).status_code for _ in range(3)] == [400, 400, 400]
    response = client.post(FORM, report_fields)
    assert response.status_code == 429
    assert report_fields["headline"] in response.content.decode()
    assert not Submission.objects.exists()


def test_a_request_over_the_size_limit_is_refused_before_its_body_is_read(client, settings):
    # The test client's body holds one byte: reading what CONTENT_LENGTH claims would fail.
    response = client.generic(
        "POST", FORM, b"x", content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(settings.DATELINE_SUBMISSION_MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Your report is too large to send" in page and "51.0" in page
    assert "Back" in page


def test_senders_are_hashed_by_address_or_ipv6_network_behind_the_proxy_or_not(settings):
    factory = RequestFactory()

    def request(remote: str, forwarded: str | None = None):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
        return factory.post(FORM, REMOTE_ADDR=remote, **extra)

    assert sender_network(request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert sender_network(request("::ffff:192.0.2.9")) == "192.0.2.9"
    same_64 = sender_hash(request("2001:db8:1:2::1")), sender_hash(request("2001:db8:1:2::ff"))
    assert same_64[0] == same_64[1]
    assert sender_hash(request("2001:db8:1:3::1")) != same_64[0]

    # Without the proxy the header is whatever the client says: it is ignored.
    assert sender_network(request("10.0.0.2", "203.0.113.9")) == "10.0.0.2"
    settings.DATELINE_BEHIND_PROXY = True
    # Behind it, the address nginx appended counts; what the client put before it does not.
    assert sender_network(request("10.0.0.2", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"

    hashed = sender_hash(request("127.0.0.1", "203.0.113.9"))
    assert len(hashed) == 64 and "203" not in hashed
    settings.SECRET_KEY = "another-secret"
    assert sender_hash(request("127.0.0.1", "203.0.113.9")) != hashed  # keyed, not guessable


def test_address_hashes_ignore_case_and_tags_but_not_the_domain():
    assert address_hash("Ana+x@Example.org") == address_hash("ana@example.org")
    assert address_hash("ana@example.org") != address_hash("ana@example.net")


def test_a_quoted_local_part_is_the_same_address(client, settings, report_fields):
    settings.DATELINE_SUBMISSION_REPORTS_PER_ADDRESS = 1
    first = client.post(FORM, {**report_fields, "email": "same@example.org"},
                        REMOTE_ADDR="192.0.2.1")
    assert first.status_code == 302
    again = client.post(FORM, {**report_fields, "email": '"same"@example.org'},
                        REMOTE_ADDR="192.0.2.2")
    assert again.status_code == 429 and int(again["Retry-After"]) >= 1
    assert Submission.objects.count() == 1


def test_one_ipv6_network_shares_one_count_whatever_address_it_uses(
        client, settings, report_fields):
    settings.DATELINE_SUBMISSION_REPORTS_PER_SENDER = 1
    first = client.post(FORM, {**report_fields, "email": "one@example.org"},
                        REMOTE_ADDR="2001:db8:5:6::1")
    assert first.status_code == 302
    same_network = client.post(FORM, {**report_fields, "email": "two@example.org"},
                               REMOTE_ADDR="2001:db8:5:6:abcd::99")
    assert same_network.status_code == 429
    other_network = client.post(FORM, {**report_fields, "email": "three@example.org"},
                                REMOTE_ADDR="2001:db8:5:7::1")
    assert other_network.status_code == 302
