"""The desk's side of readers' reports: the queue, the report page, the decisions and who may."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from PIL import Image

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.credit import credit
from dateline.newsroom.models import Article, AuditEntry
from dateline.submissions import mail, moderation
from dateline.submissions.models import ModerationEntry, Submission, SubmissionPhoto

# The SMTP server on loopback (fixture smtp_inbox) is the reader side's, in conftest.py.
from .conftest import free_port, use_smtp

pytestmark = pytest.mark.django_db

QUEUE = "/desk/submissions/submission/"


@pytest.fixture
def make_report(db):
    def make(headline: str = "Flood on Vitosha Boulevard", **fields) -> Submission:
        fields.setdefault("name", "Maria Ivanova")
        fields.setdefault("email", "maria@example.org")
        fields.setdefault("text", "The water is **knee-deep** at the corner.\n\nShops closed.")
        fields.setdefault("consented_at", timezone.now())
        return Submission.objects.create(headline=headline, **fields)

    return make


def jpeg_bytes(width: int = 8, height: int = 6) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def add_photo(report: Submission) -> SubmissionPhoto:
    data = jpeg_bytes()
    photo = SubmissionPhoto(submission=report, format="jpeg", width=8, height=6,
                            size=len(data), original_name="IMG_0001<b>.jpg")
    photo.image.save("x.jpeg", ContentFile(data), save=False)
    photo.save()
    return photo


def report_url(report: Submission) -> str:
    return f"{QUEUE}{report.pk}/change/"


def decide_url(report: Submission, decision: str) -> str:
    return f"{QUEUE}{report.pk}/decide/{decision}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# The queue


def test_the_queue_puts_waiting_reports_first_and_counts_them(desk_client, make_user,
                                                              make_report):
    old_new = make_report("Older and waiting", created_at=timezone.now() - timedelta(days=2))
    decided = make_report("Decided yesterday", created_at=timezone.now() - timedelta(hours=1),
                          status=Submission.Status.SPAM)
    fresh = make_report("Fresh and waiting")
    page = desk_client(make_user("Editor")).get(QUEUE).content.decode()
    order = [page.index(r.reference) for r in (fresh, old_new, decided)]
    assert order == sorted(order)
    # The filters count what each status holds.
    assert re.search(r"New\s*\(2\)", page) and re.search(r"Spam\s*\(1\)", page)


def test_the_queue_filters_by_status_and_finds_by_reference_and_email(desk_client, make_user,
                                                                      make_report):
    waiting = make_report("Bridge closed", email="ana@example.net")
    rejected = make_report("Cat stuck", status=Submission.Status.REJECTED)
    client = desk_client(make_user("Editor"))
    only_new = client.get(QUEUE, {"status__exact": "new"}).content.decode()
    assert waiting.reference in only_new and rejected.reference not in only_new
    found = client.get(QUEUE, {"q": rejected.reference}).content.decode()
    assert rejected.reference in found and waiting.reference not in found
    by_mail = client.get(QUEUE, {"q": "ana@example"}).content.decode()
    assert waiting.reference in by_mail and rejected.reference not in by_mail


def test_the_report_page_links_to_the_same_senders_other_reports(desk_client, make_user,
                                                                 make_report):
    first = make_report("First", sender_hash="a" * 64)
    second = make_report("Second", sender_hash="a" * 64)
    stranger = make_report("Stranger", sender_hash="b" * 64)
    client = desk_client(make_user("Editor"))
    page = client.get(report_url(second)).content.decode()
    link = f"{QUEUE}?sender_hash={'a' * 64}"
    assert f'<a href="{link}">1 other report</a>' in page
    listed = client.get(link).content.decode()
    assert first.reference in listed and second.reference in listed
    assert stranger.reference not in listed


def test_the_report_page_shows_the_report_read_only_through_the_sanitiser(
    desk_client, make_user, make_report
):
    report = make_report(text="Look **here**\n\n<script>alert('x')</script>",
                         user_agent="Firefox/140")
    add_photo(report)
    page = desk_client(make_user("Editor")).get(report_url(report)).content.decode()
    assert "<strong>here</strong>" in page
    assert "<script>alert" not in page
    # The raw text is there for the record, escaped.
    assert "<pre>Look **here**\n\n&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</pre>" in page
    for shown in ("Maria Ivanova", "maria@example.org", report.reference, "Firefox/140",
                  "IMG_0001&lt;b&gt;.jpg"):
        assert shown in page
    # Nothing to edit: no admin change form, only the decisions.
    assert 'name="_save"' not in page and 'id="submission_form"' not in page
    assert f'action="/desk/submissions/submission/{report.pk}/decide/accept/"' in page


def test_photos_are_streamed_to_editors_only_with_their_type_and_no_sniffing(
    desk_client, make_user, make_report, client
):
    report = make_report()
    photo = add_photo(report)
    url = f"{QUEUE}{report.pk}/photos/{photo.pk}/"
    editor = desk_client(make_user("Editor"))
    assert f'src="{url}"' in editor.get(report_url(report)).content.decode()
    response = editor.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    filename = f"{report.reference}-{photo.pk}.jpg"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == jpeg_bytes()
    # Another report's number does not reach this photo.
    other = make_report("Other")
    assert editor.get(f"{QUEUE}{other.pk}/photos/{photo.pk}/").status_code == 404


def test_photos_are_never_public(client, make_user, make_report):
    report = make_report()
    photo = add_photo(report)
    url = f"{QUEUE}{report.pk}/photos/{photo.pk}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/desk/login/" in anonymous["Location"]
    client.force_login(make_user("Reporter"))
    assert client.get(url).status_code == 403


# Who may


@pytest.mark.parametrize(("role", "sees", "decides"), [
    ("Contributor", False, False),
    ("Reporter", False, False),
    ("Editor", True, True),
    ("Chief editor", True, True),
])
def test_only_editors_and_the_chief_editor_see_and_decide(
    desk_client, make_user, make_report, make_section, role, sees, decides
):
    section = make_section("World")
    report = make_report()
    client = desk_client(make_user(role))
    expected = 200 if sees else 403
    assert client.get(QUEUE).status_code == expected
    assert client.get(report_url(report)).status_code == expected
    for decision, data in (("spam", {}), ("reject", {"reason": "No."}),
                           ("accept", {"section": section.pk})):
        response = client.post(decide_url(report, decision), data)
        assert response.status_code == (302 if decides else 403), decision
        if decides:
            break  # decided once; the refusal of a second decision is tested below
    report.refresh_from_db()
    assert (report.status == Submission.Status.SPAM) is decides
    assert ModerationEntry.objects.filter(submission=report).exists() is decides


def test_nobody_adds_or_edits_reports_and_only_the_chief_editor_deletes(
    desk_client, make_user, make_report
):
    report = make_report()
    photo = add_photo(report)
    stored = photo.image.name
    editor = desk_client(make_user("Editor"))
    assert editor.get(f"{QUEUE}add/").status_code == 403
    assert editor.get(f"{QUEUE}{report.pk}/delete/").status_code == 403
    assert editor.post(f"{QUEUE}{report.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Submission.objects.filter(pk=report.pk).exists()
    chief = desk_client(make_user("Chief editor"))
    assert chief.get(f"{QUEUE}add/").status_code == 403
    assert "Delete the report and its photos" in chief.get(report_url(report)).content.decode()
    assert chief.post(f"{QUEUE}{report.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Submission.objects.filter(pk=report.pk).exists()
    assert not default_storage.exists(stored)


def test_decisions_need_a_csrf_token(make_user, make_report, make_section):
    section = make_section("World")
    report = make_report()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    for decision, data in (("accept", {"section": section.pk}), ("reject", {"reason": "No"}),
                           ("spam", {})):
        assert client.post(decide_url(report, decision), data).status_code == 403
    report.refresh_from_db()
    assert report.status == Submission.Status.NEW
    assert not Article.objects.exists() and not report.log.exists()


def test_decisions_are_posts_and_unknown_ones_are_not_found(desk_client, make_user,
                                                           make_report):
    report = make_report()
    client = desk_client(make_user("Editor"))
    assert client.get(decide_url(report, "spam")).status_code == 405
    assert client.post(decide_url(report, "publish")).status_code == 404
    report.refresh_from_db()
    assert report.status == Submission.Status.NEW


# Accept


def test_accepting_makes_a_draft_credited_to_the_reader_and_logs_it(
    desk_client, make_user, make_report, make_section
):
    editor = make_user("Editor")
    section = make_section("Bulgaria")
    report = make_report(name="Maria <Ivanova>")
    add_photo(report)
    response = desk_client(editor).post(decide_url(report, "accept"),
                                        {"section": section.pk, "note": "Good pictures"},
                                        follow=True)
    report.refresh_from_db()
    article = report.article
    assert response.redirect_chain[-1][0] == f"/desk/newsroom/article/{article.pk}/change/"
    assert (article.status, article.headline, article.section, article.created_by) == (
        Article.Status.DRAFT, "Flood on Vitosha Boulevard", section, editor)
    # The reader is credited in the byline, as written, and not again in the body.
    assert article.byline_text == "Reader report by Maria <Ivanova>"
    assert credit(article).names == ["Reader report by Maria <Ivanova>"]
    assert "Reader report by" not in article.body
    assert "<strong>knee-deep</strong>" in article.body
    assert [s.name for s in article.sources.all()] == ["Reader reports"]
    # The standfirst is the editor's to write: nothing of the report is read twice.
    assert article.standfirst == ""
    assert article.teaser == "The water is knee-deep at the corner."
    (said,) = messages_of(response)
    assert "1 photo(s) are in the photo library, credited to the reader" in said, said
    assert (report.status, report.decided_by) == (Submission.Status.ACCEPTED, editor)
    (entry,) = report.log.all()
    assert (entry.action, entry.user) == ("accepted", editor)
    assert "Bulgaria" in entry.note and "Good pictures" in entry.note
    assert AuditEntry.objects.filter(article=article, action="create", user=editor).exists()
    assert article.revisions.count() == 1


def test_accepting_needs_a_section(desk_client, make_user, make_report):
    report = make_report()
    response = desk_client(make_user("Editor")).post(decide_url(report, "accept"), {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Submission.Status.NEW and not Article.objects.exists()


def test_a_published_reader_report_credits_the_reader_on_the_public_page(
    client, make_user, make_report, make_section
):
    editor = make_user("Editor")
    article = moderation.accept(editor, make_report(name="Petar Petrov"), make_section("City"))
    TRANSITIONS["publish"].execute(editor, article)
    article.refresh_from_db()
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<p class="byline">Reader report by Petar Petrov</p>' in page
    assert re.search(r'Sources:</span>\s*<bdi>Reader reports</bdi>', page)
    # Not "By Reader reports": the source no longer stands in for the missing authors.
    assert "By Reader reports" not in page and "byline-agency" not in page
    assert '"name": "Reader report by Petar Petrov"' in page  # JSON-LD author
    assert 'class="standfirst"' not in page  # the first paragraph is shown once, in the body
    story = page[page.index('<article class="story"'):page.index("</article>")]
    assert story.count("knee-deep") == 1


# Reject and spam


def test_rejecting_e_mails_the_reason_to_the_reader(desk_client, make_user, make_report,
                                                    smtp_inbox, settings):
    editor = make_user("Editor")
    report = make_report(email="reader@example.net")
    response = desk_client(editor).post(
        decide_url(report, "reject"),
        {"reason": "We could not confirm it.\nThank you <all> the same.", "email_reader": "on"},
        follow=True,
    )
    assert "The reader was e-mailed the reason." in messages_of(response)[0]
    (envelope,) = smtp_inbox.envelopes
    assert envelope.rcpt_tos == ["reader@example.net"]
    (message,) = smtp_inbox.messages
    assert message["To"] == "reader@example.net"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Reply-To"] == settings.DATELINE_NEWSDESK_EMAIL
    assert report.reference in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (plain, html):
        assert report.reference in part and "We could not confirm it." in part
    assert "Thank you <all> the same." in plain
    assert "Thank you &lt;all&gt; the same." in html
    report.refresh_from_db()
    assert report.status == Submission.Status.REJECTED
    assert report.decision_reason.startswith("We could not confirm it.")
    assert [(e.action, e.user) for e in report.log.all()] == [("rejected", editor),
                                                              (mail.SENT, None)]


def test_rejecting_without_the_box_ticked_sends_nothing(desk_client, make_user, make_report,
                                                         smtp_inbox):
    report = make_report()
    desk_client(make_user("Editor")).post(decide_url(report, "reject"), {"reason": "Old news"})
    report.refresh_from_db()
    assert report.status == Submission.Status.REJECTED
    assert smtp_inbox.envelopes == []
    assert [e.action for e in report.log.all()] == ["rejected"]


def test_rejecting_needs_a_reason_and_keeps_the_form(desk_client, make_user, make_report):
    report = make_report()
    response = desk_client(make_user("Editor")).post(decide_url(report, "reject"),
                                                     {"reason": "  ", "email_reader": "on"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    report.refresh_from_db()
    assert report.status == Submission.Status.NEW and not report.log.exists()


def test_a_mail_server_that_is_down_is_logged_and_the_rejection_stands(
    desk_client, make_user, make_report, settings
):
    use_smtp(settings, free_port())  # nobody listens there
    report = make_report()
    response = desk_client(make_user("Editor")).post(
        decide_url(report, "reject"), {"reason": "Duplicate", "email_reader": "on"}, follow=True)
    assert response.status_code == 200
    assert "could not be sent" in messages_of(response)[0]
    report.refresh_from_db()
    assert report.status == Submission.Status.REJECTED
    failed = report.log.get(action=mail.FAILED)
    assert "ConnectionRefusedError" in failed.note


def test_marking_as_spam_sends_nothing_and_is_logged(desk_client, make_user, make_report,
                                                     smtp_inbox):
    editor = make_user("Editor")
    report = make_report()
    desk_client(editor).post(decide_url(report, "spam"), {"note": "Casino links"})
    report.refresh_from_db()
    assert (report.status, report.decided_by, report.article) == (
        Submission.Status.SPAM, editor, None)
    assert smtp_inbox.envelopes == []
    (entry,) = report.log.all()
    assert (entry.action, entry.user, entry.note) == ("spam", editor, "Casino links")


def test_the_queue_marks_many_reports_as_spam_at_once(desk_client, make_user, make_report):
    flood = [make_report(f"Win a prize {i}") for i in range(3)]
    kept = make_report("Real news")
    client = desk_client(make_user("Editor"))
    response = client.post(QUEUE, {"action": "mark_selected_as_spam",
                                   "_selected_action": [r.pk for r in flood]})
    assert response.status_code == 302
    assert set(Submission.objects.filter(status="spam").values_list("pk", flat=True)) == {
        r.pk for r in flood}
    assert Submission.objects.get(pk=kept.pk).status == Submission.Status.NEW
    assert ModerationEntry.objects.filter(action="spam").count() == 3


# Once only


def test_a_report_is_decided_once(desk_client, make_user, make_report, make_section,
                                  smtp_inbox):
    first, second = make_user("Editor"), make_user("Editor")
    section = make_section("World")
    report = make_report()
    desk_client(first).post(decide_url(report, "accept"), {"section": section.pk}, follow=True)
    client = desk_client(second)
    for decision, data in (("accept", {"section": section.pk}),
                           ("reject", {"reason": "No", "email_reader": "on"}), ("spam", {})):
        response = client.post(decide_url(report, decision), data, follow=True)
        (said,) = messages_of(response)
        assert f"Report {report.reference} was already accepted by {first.username}" in said
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (Submission.Status.ACCEPTED, first)
    assert Article.objects.count() == 1
    assert [e.action for e in report.log.all()] == ["accepted"]
    assert smtp_inbox.envelopes == []
    # And the page no longer offers the decisions.
    page = client.get(report_url(report)).content.decode()
    assert "/decide/" not in page and "the draft made from it" in page


def test_the_actions_check_the_permission_themselves(make_user, make_report, make_section):
    report = make_report()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        moderation.accept(make_user("Reporter"), report, make_section("World"))
    with pytest.raises(moderation.DecisionRefused):
        moderation.reject(make_user("Editor"), report, reason="   ")
    report.refresh_from_db()
    assert report.status == Submission.Status.NEW


# In the browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_reads_a_report_with_its_photo_and_rejects_it_in_chromium(
    browser, live_server, make_user, make_report, smtp_inbox
):
    from django.db import connections

    editor = make_user("Editor", "editor")
    editor.set_password("pw-for-tests")
    editor.save()
    # And a word longer than the screen: the page was 138,786 px wide with one of 10,000.
    report = make_report(text="Water **everywhere**.\n\n<img src=x onerror=alert(1)>\n\n"
                              + "W" * 3000)
    add_photo(report)
    connections.close_all()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    page.goto(f"{live_server.url}/desk/login/?next={QUEUE}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.click(f"text={report.reference}")
    page.wait_for_selector(".report-body strong")
    # The photo arrives through the desk's own view, under the desk's policy.
    photo = page.locator(".photo-list img")
    photo.wait_for()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 8
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    page.fill("#reject_reason", "We could not confirm it.")
    page.check("#reject_email_reader")
    page.click(".decision-reject button")
    page.wait_for_selector(".messagelist .success")
    assert problems == [], "\n".join(problems)
    report.refresh_from_db()
    assert report.status == Submission.Status.REJECTED
    (message,) = smtp_inbox.messages
    assert "We could not confirm it." in message.get_body(("plain",)).get_content()


def test_a_reports_photo_is_kept_outside_the_public_files(make_report):
    """Readers' photos went to the public store of renditions (served by nginx to anyone with
    the name; on S3 public-read with a year's caching)."""
    from pathlib import Path

    from django.core.files.storage import storages

    from dateline.pictures.storages import storages_from_env

    photo = add_photo(make_report())
    assert storages["reader_reports"].exists(photo.image.name)
    assert not storages["default"].exists(photo.image.name)
    # Where the settings put them: beside the public files, never under them; on S3 in the
    # private bucket, read by signed URL.
    local = Path(storages_from_env({}, Path("/srv/dateline"))["reader_reports"]["OPTIONS"][
        "location"])
    assert local == Path("/srv/dateline/reader-reports")
    s3 = storages_from_env({"DATELINE_MEDIA_STORAGE": "s3", "DATELINE_MEDIA_BUCKET": "public",
                            "DATELINE_ORIGINALS_BUCKET": "private"}, Path("/srv"))
    options = s3["reader_reports"]["OPTIONS"]
    assert (options["bucket_name"], options["default_acl"], options["querystring_auth"]) == (
        "private", "private", True)


def test_photos_an_older_release_kept_in_the_public_files_move_to_the_private_store(
        make_report):
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from dateline.submissions.models import SubmissionPhoto

    moving = importlib.import_module(
        "dateline.submissions.migrations.0003_reader_report_photos_private")
    photo = add_photo(make_report())
    name = photo.image.name
    data = storages["reader_reports"].open(name).read()
    storages["reader_reports"].delete(name)
    storages["default"].save(name, ContentFile(data))  # where 0002's release kept it
    moving.move_to_private(apps, None)
    moving.move_to_private(apps, None)  # run again: nothing more to do, nothing lost
    assert not storages["default"].exists(name)
    assert storages["reader_reports"].open(
        SubmissionPhoto.objects.get(pk=photo.pk).image.name).read() == data
