"""The desk's front page opens with the screens a newsroom works in, each shown to those allowed
to open it, and lists the apps newsroom first (dateline/newsroom/desk/shortcuts.py)."""

import html
import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.newsroom.desk import shortcuts

pytestmark = pytest.mark.django_db

EVERY = ["Write a story", "Stories", "Foreign-media monitor", "Reader reports", "Photo library",
         "Daily edition", "Readership"]


def shown(page: str) -> list[tuple[str, str]]:
    """(title, link) of each shortcut on the page, in order."""
    block = re.search(r'<section class="desk-shortcuts".*?</section>', page, re.S)
    if block is None:
        return []
    return [(html.unescape(title), html.unescape(url)) for url, title in
            re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block.group(0))]


def test_an_editor_sees_every_screen_of_the_day_and_each_opens(make_user, desk_client):
    client = desk_client(make_user("Editor"))
    page = client.get("/desk/").content.decode()
    titles = [title for title, _ in shown(page)]
    assert titles == EVERY
    for title, url in shown(page):
        assert client.get(url).status_code == 200, title
    assert "/desk/ingest/monitor/" in dict(shown(page)).values()


@pytest.mark.parametrize("role, expected", [
    # A contributor files stories: no monitor, no readers' names, no edition or figures.
    ("Contributor", ["Write a story", "Stories", "Photo library"]),
    # A reporter also draws on the monitor; readers' reports stay with those who decide.
    ("Reporter", ["Write a story", "Stories", "Foreign-media monitor", "Photo library"]),
])
def test_each_role_sees_only_the_screens_it_may_open(make_user, desk_client, role, expected):
    client = desk_client(make_user(role))
    listed = shown(client.get("/desk/").content.decode())
    assert [title for title, _ in listed] == expected
    for title, url in listed:
        assert client.get(url).status_code == 200, title
    # What is left out would be refused to them.
    assert client.get("/desk/submissions/submission/").status_code == 403


def test_the_apps_are_listed_newsroom_first_advertising_after_the_newsroom_s_own(
        make_user, desk_client):
    page = desk_client(make_user("Chief editor")).get("/desk/").content.decode()
    captions = [html.unescape(c).strip() for c in re.findall(
        r'<caption>\s*<a [^>]*>([^<]+)</a>', page)]
    assert captions[0] == "Newsroom", captions
    assert captions.index("Reader reports") < captions.index("Readership") \
        < captions.index("Advertising: campaigns and placements")
    assert "Authentication and Authorization" in captions  # nothing left out, only ordered


def test_a_screen_named_twice_differently_is_refused_and_the_same_twice_is_one():
    first = shortcuts.Shortcut("Corrections", "admin:newsroom_articlenote_changelist",
                               "every correction", "newsroom.view_articlenote", "newsroom")
    try:
        shortcuts.add(first)
        shortcuts.add(first)  # an app's ready() run again
        with pytest.raises(ImproperlyConfigured, match="added twice"):
            shortcuts.add(shortcuts.Shortcut("Notes", first.url_name, "notes",
                                             first.permission, "newsroom"))
    finally:
        shortcuts._shortcuts.pop(first.url_name, None)


def test_no_shortcuts_for_an_account_that_may_open_none(make_user, desk_client):
    page = desk_client(make_user()).get("/desk/").content.decode()
    assert shown(page) == []
    assert "Today's desk" not in page


def badges(page: str) -> dict[str, str]:
    """Each shortcut's count, by its title."""
    return {html.unescape(title): html.unescape(count) for title, count in re.findall(
        r'<li><a href="[^"]+">([^<]+)</a><strong class="waiting">([^<]+)</strong>', page)}


def test_what_waits_is_counted_beside_its_screen(make_user, make_article, desk_client):
    from django.utils import timezone

    from dateline.newsroom.models import Article
    from dateline.submissions.models import Submission

    editor, reporter = make_user("Editor"), make_user("Reporter")
    page = desk_client(editor).get("/desk/").content.decode()
    assert badges(page) == {}  # nothing waits: no count at all, not a zero
    make_article("Hers, in review", status=Article.Status.REVIEW, created_by=reporter)
    make_article("Another's, in review", status=Article.Status.REVIEW)
    make_article("A draft", status=Article.Status.DRAFT, created_by=reporter)
    for status in (Submission.Status.NEW, Submission.Status.NEW, Submission.Status.ACCEPTED):
        Submission.objects.create(name="Ann Lee", email="ann@example.org", headline="Flood",
                                  text="Water.", consented_at=timezone.now(), status=status)
    page = desk_client(editor).get("/desk/").content.decode()
    assert badges(page) == {"Stories": "2 waiting for you", "Reader reports": "2 to decide"}
    # A reporter waits on her own story alone, and sees no readers' reports.
    page = desk_client(reporter).get("/desk/").content.decode()
    assert badges(page) == {"Stories": "1 waiting for you"}
