"""A reader's telephone number or e-mail address left in their report's text: the story drafted
from it says so on the desk until it is taken out (it went out on the page, the feeds and the
wire next to the reader's name)."""

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.submissions import moderation
from dateline.submissions.contact import contact_details, credited_name
from dateline.submissions.models import Submission

pytestmark = pytest.mark.django_db
NOTICE = "<strong>Contact details?</strong>"


@pytest.mark.parametrize("text, found", [
    ("Call me on +359 888 123 456 after six.", ["+359 888 123 456"]),
    ("Phone (02) 987-6543 or write to maria.i@example.org.",
     ["maria.i@example.org", "(02) 987-6543"]),
    ("It happened on 2024-12-11 and on 11.12.2024, as in 1987-1990.", []),
    ("Turnover was 1,200,000 levs; 3,500 people came; bus 94 and 280.", []),
    ("A population of 1 234 567 in 2021; 12 500 000 levs.", []),
    ("Mobile 0888 123 456.", ["0888 123 456"]),
    ("The ISBN is on page 12.", []),
])
def test_contact_details_are_found_and_dates_and_figures_are_not(text, found):
    assert contact_details(text) == found


def test_long_runs_a_reader_can_write_are_read_in_one_pass():
    """"1/ 1/ 1/ …" or a pasted long link took seconds a render (each start rescanned the run);
    the patterns are bounded, so these are read in a moment (no timing asserted here)."""
    assert contact_details("1/ " * 16000) == []
    assert contact_details("See https://x.example/" + "a" * 49900) == []
    assert contact_details("a" * 49900 + " mail me: ann@example.org") == ["ann@example.org"]


def report(text: str) -> Submission:
    return Submission.objects.create(headline="Flood on Vitosha Boulevard", name="Maria Ivanova",
                                     email="maria@example.org", text=text,
                                     consented_at=timezone.now())


def test_the_draft_of_a_report_says_so_until_they_are_taken_out(
        make_user, make_section, desk_client):
    editor = make_user("Editor")
    draft = moderation.accept(editor, report("Water everywhere. Call me on +359 888 123 456."),
                              make_section("City"))
    desk = desk_client(editor)
    page = desk.get(f"/desk/newsroom/article/{draft.pk}/change/").text
    assert NOTICE in page and "(+359 888 123 456)" in page
    Article.objects.filter(pk=draft.pk).update(body="<p>Water everywhere.</p>")
    assert NOTICE not in desk.get(f"/desk/newsroom/article/{draft.pk}/change/").text


def test_a_staff_story_with_a_hotline_is_not_flagged(make_article, make_user, desk_client):
    story = make_article("Flood hotline opens", body="<p>Call +359 2 123 4567 for help.</p>")
    page = desk_client(make_user("Editor")).get(f"/desk/newsroom/article/{story.pk}/change/")
    assert NOTICE not in page.text


@pytest.mark.parametrize("name, credited", [
    ("Ana Petrova, ana.petrova@example.org, tel +359 888 123 456", "Ana Petrova"),
    ("Ana Petrova tel. +359 888 123 456", "Ana Petrova"),
    ("Ana Petrova (email: ana@example.org)", "Ana Petrova"),
    ("Ana Petrova", "Ana Petrova"),
    ("ana@example.org", ""),
    ("Class 7B of School 12", "Class 7B of School 12"),
])
def test_the_credit_is_the_name_before_any_contact_detail(name, credited):
    assert credited_name(name) == credited


def test_a_reader_who_wrote_contact_details_as_their_name_is_credited_without_them(
        make_user, make_section, desk_client):
    """The byline and the photo credit printed "Reader report by Ana Petrova,
    ana.petrova@example.org, tel +359 888 123 456" on the page, its JSON-LD and the feeds, and
    the desk's notice looked at the text only."""
    editor = make_user("Editor")
    submission = report("Water everywhere.")
    submission.name = "Ana Petrova, ana.petrova@example.org, tel +359 888 123 456"
    submission.save()
    draft = moderation.accept(editor, submission, make_section("City"))
    assert draft.byline_text == "Reader report by Ana Petrova"
    desk = desk_client(editor)
    assert NOTICE not in desk.get(f"/desk/newsroom/article/{draft.pk}/change/").text
    # An editor retyping the byline from the report is told, as for the text.
    Article.objects.filter(pk=draft.pk).update(
        byline_text="Reader report by Ana Petrova, tel +359 888 123 456")
    page = desk.get(f"/desk/newsroom/article/{draft.pk}/change/").text
    assert NOTICE in page and "(+359 888 123 456)" in page
