"""Revisions, diffs, restores and the refusal of stale saves: nobody's text is ever lost."""

import html
import re

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.newsroom.diff import readable_text, word_diff
from dateline.newsroom.models import Revision

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return f"/desk/newsroom/article/{article.pk}/change/"


def test_a_stale_save_is_refused_and_both_texts_are_kept(client, make_user, make_article):
    from django.test import Client

    first, second = make_user("Editor", "anna"), make_user("Editor", "boris")
    article = make_article("Flood warning", body="<p>Rivers rise.</p>")
    anna, boris = Client(), Client()
    anna.force_login(first)
    boris.force_login(second)
    # Both open version 1.
    assert anna.get(change_url(article)).status_code == 200
    assert boris.get(change_url(article)).status_code == 200
    saved = anna.post(change_url(article), article_post_data(
        article, body="<p>Rivers rise; towns evacuated.</p>"))
    assert saved.status_code == 302
    refused = boris.post(change_url(article), article_post_data(
        article, headline="Flood warning for the north", body="<p>Boris's careful rewrite.</p>"))
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone else saved this article after you opened it" in page
    assert "Boris&#x27;s careful rewrite." in page  # still in his form
    assert 'value="Flood warning for the north"' in page
    article.refresh_from_db()
    assert article.body == "<p>Rivers rise; towns evacuated.</p>"
    assert article.version == 2
    kept = Revision.objects.get(kind=Revision.Kind.REFUSED)
    assert (kept.created_by, kept.body, kept.version) == (
        second, "<p>Boris's careful rewrite.</p>", 1)
    assert f"revision {kept.pk}" in page


def test_a_save_without_a_version_is_refused(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article()
    data = article_post_data(article, headline="Forged")
    del data["base_version"]
    response = client.post(change_url(article), data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.headline != "Forged"


def test_revisions_diff_and_restore(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article("Talks begin", body="<p>Delegates met in Geneva.</p>")
    for body in ("<p>Delegates met in Geneva on Monday.</p>",
                 "<p>Delegates met in Vienna on Monday.</p>"):
        article.refresh_from_db()
        response = client.post(change_url(article), article_post_data(article, body=body))
        assert response.status_code == 302
    first, second = Revision.objects.order_by("pk")
    listing = client.get(f"/desk/newsroom/article/{article.pk}/revisions/")
    assert listing.status_code == 200
    # To the second, on the site's clock: saves a minute apart read alike ("3:46 p.m.").
    stamp = timezone.localtime(second.created_at).strftime("%Y-%m-%d %H:%M:%S")
    assert f"<td>{stamp}</td>" in listing.content.decode()
    diff = client.get(f"/desk/newsroom/article/{article.pk}/revisions/",
                      {"a": first.pk, "b": second.pk}).content.decode()
    assert "<del>Geneva</del><ins>Vienna</ins>" in diff
    restore_url = f"/desk/newsroom/article/{article.pk}/revisions/{first.pk}/restore/"
    assert f'href="{restore_url}"' in listing.content.decode()
    asked = client.get(restore_url)  # asked first, showing what would change
    assert asked.status_code == 200
    assert "<del>Vienna</del><ins>Geneva</ins>" in asked.content.decode()
    article.refresh_from_db()
    assert article.body == "<p>Delegates met in Vienna on Monday.</p>"
    assert article.revisions.count() == 2
    restored = client.post(f"/desk/newsroom/article/{article.pk}/revisions/{first.pk}/restore/")
    assert restored.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>Delegates met in Geneva on Monday.</p>"
    latest = article.revisions.first()
    assert latest.kind == Revision.Kind.RESTORE and latest.body == article.body
    assert article.revisions.count() == 3
    assert article.audit_log.filter(action="restore").exists()


def test_restoring_a_published_story_says_readers_get_it_at_once(
        desk_client, make_user, make_article):
    """One click on the list of revisions replaced a published story's text for readers."""
    client = desk_client(make_user("Editor"))
    article = make_article("Talks begin", body="<p>Delegates met in Geneva.</p>")
    for headline in ("Talks resume", "Talks end"):
        article.refresh_from_db()
        client.post(change_url(article), article_post_data(article, headline=headline))
    first = article.revisions.order_by("pk").first()
    page = client.get(f"/desk/newsroom/article/{article.pk}/revisions/{first.pk}/restore/")
    shown = page.content.decode()
    assert "readers, feeds and partners get the restored text at once" in shown
    assert re.search(r"<dt>Headline</dt><dd[^>]*>Talks <del>end</del><ins>resume</ins>", shown)
    assert "<dt>Body</dt>" not in shown  # unchanged fields are not listed
    latest = article.revisions.order_by("-pk").first()
    same = client.get(f"/desk/newsroom/article/{article.pk}/revisions/{latest.pk}/restore/")
    assert "No differences" in same.text and "Restore revision" not in same.text.split(
        "<h1")[-1].split("</h1>", 1)[-1]
    article.refresh_from_db()
    assert article.headline == "Talks end"


def test_revision_pages_refuse_nonsense(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article, other = make_article(), make_article()
    other_revision = Revision.objects.create(article=other, version=1, headline="x", body="")
    url = f"/desk/newsroom/article/{article.pk}/revisions/"
    assert client.get(url, {"a": "x", "b": "1"}).status_code == 404
    assert client.get(url, {"a": other_revision.pk, "b": other_revision.pk}).status_code == 404
    assert client.post(f"{url}{other_revision.pk}/restore/").status_code == 404


def test_a_contributor_cannot_restore_or_read_others_articles(desk_client, make_user,
                                                               make_article):
    client = desk_client(make_user("Contributor"))
    article = make_article()
    revision = Revision.objects.create(article=article, version=1, headline="x", body="")
    assert client.get(f"/desk/newsroom/article/{article.pk}/revisions/").status_code == 403
    assert client.post(
        f"/desk/newsroom/article/{article.pk}/revisions/{revision.pk}/restore/"
    ).status_code == 403
    assert client.get(change_url(article)).status_code in (302, 403, 404)


def test_a_changed_figure_is_one_word_in_the_diff():
    """5.8 changed to 6.1 read "5̶6.8̶1", digit by digit."""
    assert str(word_diff("GDP grew 5.8% to 1,200", "GDP grew 6.1% to 1,250")) == (
        "GDP grew <del>5.8</del><ins>6.1</ins>% to <del>1,200</del><ins>1,250</ins>")


def test_word_diff_escapes_everything():
    html = word_diff("<b>old</b> text", '<i onclick="x()">new</i> text')
    bare = html
    for mark in ("<del>", "</del>", "<ins>", "</ins>"):
        bare = bare.replace(mark, "")
    assert "<" not in bare and "&lt;" in bare
    assert "<del>old</del><ins>new</ins>" in html
    assert readable_text("<p>One</p><p>Two <em>x</em></p>") == "One\nTwo x"


WORDS = st.sampled_from(["the", "a", "minister", "said", "talks", "Geneva", ".", ",", " ",
                         "  ", "\n", "<b>", "&"])


@pytest.mark.parametrize("limits", [(100_000, 20_000, 5_000), (40, 120, 6)],
                         ids=["as set", "small enough to take every path"])
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.lists(WORDS, max_size=200).map("".join),
       new=st.lists(WORDS, max_size=200).map("".join))
def test_a_diff_gives_back_both_texts_whichever_way_it_compares(monkeypatch, limits, old, new):
    """Unwrapping <del> and dropping <ins> gives the old text; the other way, the new. Long
    texts are compared paragraph by paragraph, then word by word (diff.EXACT, TOKENS, LINES):
    small limits make short texts take every path."""
    from dateline.newsroom import diff

    for name, value in zip(("EXACT", "TOKENS", "LINES"), limits, strict=True):
        monkeypatch.setattr(diff, name, value)
    marked = str(word_diff(old, new))
    before = re.sub(r"<ins>.*?</ins>", "", marked, flags=re.S).replace("<del>", "").replace(
        "</del>", "")
    after = re.sub(r"<del>.*?</del>", "", marked, flags=re.S).replace("<ins>", "").replace(
        "</ins>", "")
    assert html.unescape(before) == old and html.unescape(after) == new


def test_long_texts_with_nothing_in_common_are_compared_at_all():
    """Two 4,000-word bodies of one repeated word each (23 s for 1,000 before): every word
    is marked, removed or added."""
    marked = str(word_diff("the " * 4000, "a " * 4000))
    assert marked.count("the") == 4000 and marked.count("a ") + marked.count("a<") >= 4000


def test_a_restore_compared_before_a_colleagues_save_is_refused(
        make_user, make_article, desk_client):
    """ann compares revision 1 with the story; ben saves a correction; ann's restore would
    have replaced it unseen, on a published story."""
    from django.test import Client

    from .page_forms import form_values

    ann = desk_client(make_user("Editor", "ann"))
    ben = Client()
    ben.force_login(make_user("Editor", "ben"))
    article = make_article("Blast kills 21", body="<p>Twenty-one people died.</p>")
    for headline in ("Blast kills 20", "Blast kills 22"):
        article.refresh_from_db()
        ann.post(change_url(article), article_post_data(article, headline=headline))
    first = article.revisions.order_by("pk").first()
    restore_url = f"/desk/newsroom/article/{article.pk}/revisions/{first.pk}/restore/"
    asked = form_values(ann.get(restore_url).text, "version")
    article.refresh_from_db()
    ben.post(change_url(article), article_post_data(article, headline="Blast kills 12"))
    refused = ann.post(restore_url, asked)
    assert refused.status_code == 302 and refused["Location"] == restore_url
    article.refresh_from_db()
    assert article.headline == "Blast kills 12"  # ben's correction stands
    again = ann.get(restore_url).text
    assert "since you compared it: nothing was restored" in again and "by ben" in again
    assert "12</del>" in again  # compared with the story as it is now
    assert ann.post(restore_url, form_values(again, "version")).status_code == 302
    article.refresh_from_db()
    assert article.headline == first.headline
