"""The "Add article" page saved twice (a double click on Save, a POST the browser sends again)
is one story: the second save answers with the story the first made."""

import json
import re

import pytest
from django.test import Client

from dateline.newsroom.models import AddPageKey, Article, Autosave
from tests.at_once import at_once, need_two_writers

ADD = "/desk/newsroom/article/add/"


def page_key(client) -> str:
    page = client.get(ADD).content.decode()
    found = re.search(r'<input type="hidden" name="add_key" value="([^"]+)"', page)
    assert found, "the add page carries its one-time key"
    return found.group(1)


def story(section, key: str | None, headline: str = "Bridge closes") -> dict:
    fields = {"headline": headline, "slug": "", "standfirst": "Traffic diverted.",
              "body": "<p>Text.</p>", "dateline": "", "section": section.pk,
              "original_url": ""}
    return {**fields, "add_key": key} if key is not None else fields


@pytest.fixture
def section(make_section):
    return make_section("World")


@pytest.fixture
def reporter(make_user):
    return make_user("Reporter")


@pytest.mark.django_db
def test_the_same_page_saved_twice_is_one_story(desk_client, reporter, section):
    client = desk_client(reporter)
    key = page_key(client)
    first = client.post(ADD, story(section, key))
    assert first.status_code == 302
    article = Article.objects.get()
    again = client.post(ADD, story(section, key))
    assert again.status_code == 302
    assert again["Location"] == f"/desk/newsroom/article/{article.pk}/change/"
    assert Article.objects.count() == 1
    page = client.get(again["Location"]).content.decode()
    assert "This page was saved already: here is the story it made." in page
    # The same text twice (a double click): nothing to give back.
    assert not Autosave.objects.exists()
    assert "restored" not in page


@pytest.mark.django_db
def test_a_page_changed_and_sent_again_keeps_its_changes_for_the_story(
        desk_client, reporter, section):
    """Save, a better headline while that save is on its way, Save again: still one story,
    and the new headline is not dropped but waits in the story's form, to be saved there."""
    client = desk_client(reporter)
    key = page_key(client)
    client.post(ADD, story(section, key))
    article = Article.objects.get()
    # Typed on the page meanwhile: its autosave kept the text as a new story's.
    Autosave.objects.create(article=None, user=reporter, base_version=0, data={
        "headline": ["Bridge closes for a week"], "add_key": [key]})
    again = client.post(ADD, story(section, key, headline="Bridge closes for a week"))
    assert again["Location"] == f"/desk/newsroom/article/{article.pk}/change/"
    assert Article.objects.count() == 1
    kept = Autosave.objects.get(article=article, user=reporter)
    assert kept.data == {"headline": ["Bridge closes for a week"]}
    page = client.get(again["Location"]).content.decode()
    assert "What you changed before sending it again is back in the form" in page
    assert 'value="Bridge closes for a week"' in page
    assert "Unsaved text from" in page
    # Given back in the story's form, not again by the next "Add article" page.
    assert not Autosave.objects.filter(article=None).exists()
    assert "Unsaved text from" not in client.get(ADD).content.decode()


@pytest.mark.django_db
def test_two_pages_are_two_stories_and_a_page_without_a_key_is_saved_each_time(
        desk_client, reporter, section):
    client = desk_client(reporter)
    first, second = page_key(client), page_key(client)
    assert first != second
    for key in (first, second, None, None, "not-a-key-of-ours"):
        assert client.post(ADD, story(section, key)).status_code == 302
    assert Article.objects.count() == 5
    assert AddPageKey.objects.count() == 2


@pytest.mark.django_db
def test_another_accounts_key_leads_nowhere(desk_client, make_user, reporter, section):
    mine = desk_client(reporter)
    key = page_key(mine)
    mine.post(ADD, story(section, key))
    other = desk_client(make_user("Reporter"))
    answer = other.post(ADD, story(section, key, headline="Another story"))
    assert answer.status_code == 302
    assert Article.objects.count() == 2
    created = Article.objects.get(headline="Another story")
    mine_story = AddPageKey.objects.get().article_id
    assert answer["Location"] != f"/desk/newsroom/article/{mine_story}/change/"
    assert created.created_by != reporter


@pytest.mark.django_db
def test_kept_text_never_brings_back_a_used_key(desk_client, reporter, section):
    client = desk_client(reporter)
    key = page_key(client)
    client.post(ADD, story(section, key))
    # Text kept from that page after its save (the page's last autosave, sent as it closed).
    Autosave.objects.create(article=None, user=reporter, base_version=0, data={
        "headline": ["A second story"], "add_key": [key]})
    assert page_key(client) != key


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_make_one_story(make_user, make_section):
    need_two_writers()
    user, section = make_user("Reporter"), make_section("World")
    opener = Client()
    opener.force_login(user)
    key = page_key(opener)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(user)
    answers = at_once(lambda: clients.pop().post(ADD, story(section, key)))
    assert [a.status_code for a in answers] == [302, 302], json.dumps(
        [a.content.decode()[:300] for a in answers])
    article = Article.objects.get()
    # One went on as any first save does (to the list); the other was shown the story.
    assert {a["Location"] for a in answers} <= {"/desk/newsroom/article/",
                                               f"/desk/newsroom/article/{article.pk}/change/"}
