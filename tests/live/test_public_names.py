"""Readers see who filed a live entry by a public name, never by the account's login name."""

import pytest

from dateline.live.models import LiveEntry, LiveEvent
from dateline.newsroom.models import Author

pytestmark = pytest.mark.django_db

LOGIN = "editor2"  # a login name that must never reach a reader


@pytest.fixture
def story(make_article):
    return make_article("Election night", is_live_coverage=True)


def filed_by(story, user) -> tuple[str, dict]:
    """The story page's HTML and the stream's event for an entry this account files."""
    entry = LiveEntry.objects.create(article=story, body="<p>Polls close.</p>", author=user)
    event = LiveEvent.objects.filter(kind=LiveEvent.Kind.ENTRY).get()
    assert event.payload["entry"] == entry.pk
    from django.test import Client

    page = Client().get(story.get_absolute_url()).content.decode()
    return page, event.payload


def test_an_account_without_a_name_shows_the_desks_name(story, make_user, settings):
    settings.DATELINE_DESK_NAME = "Dateline desk"
    page, payload = filed_by(story, make_user("Reporter", LOGIN))
    assert payload["author"] == "Dateline desk"
    assert '<span class="live-entry-author">Dateline desk</span>' in page
    assert LOGIN not in page and LOGIN not in str(payload)


def test_the_full_name_is_shown(story, make_user):
    user = make_user("Reporter", LOGIN)
    user.first_name, user.last_name = "Elena", "Petrova"
    user.save()
    page, payload = filed_by(story, user)
    assert payload["author"] == "Elena Petrova"
    assert '<span class="live-entry-author">Elena Petrova</span>' in page
    assert LOGIN not in page


def test_the_byline_of_the_linked_author_comes_first(story, make_user):
    user = make_user("Reporter", LOGIN)
    user.first_name = "Lena"
    user.save()
    Author.objects.create(name="Elena Petrova-Ivanova", slug="elena", user=user)
    page, payload = filed_by(story, user)
    assert payload["author"] == "Elena Petrova-Ivanova"
    assert '<span class="live-entry-author">Elena Petrova-Ivanova</span>' in page
    assert LOGIN not in page
