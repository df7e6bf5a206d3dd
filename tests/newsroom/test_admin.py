import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models

from dateline.newsroom.models import Article, Revision, Section

pytestmark = pytest.mark.django_db


def test_ensure_editor_creates_an_editor_in_the_editor_role(client, monkeypatch, tmp_path,
                                                             settings):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DATELINE_EDITOR_PASSWORD", "correct-horse-battery")
    call_command("ensure_editor")
    editor = User.objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert [g.name for g in editor.groups.all()] == ["Editor"]
    assert editor.has_perm("newsroom.publish_article")
    assert not editor.has_perm("auth.change_user")
    response = client.post("/desk/login/", {"username": "editor",
                                            "password": "correct-horse-battery", "next": "/desk/"})
    assert response.status_code == 302 and response.url == "/desk/"
    assert client.get("/desk/").status_code == 200


@pytest.mark.parametrize("username, said", [
    ("", "This field cannot be blank."),
    ("bad name/with*stuff", "Enter a valid username."),
    ("x" * 200, "Ensure this value has at most 150 characters"),
])
def test_ensure_editor_refuses_a_name_the_desk_would_refuse(username, said):
    """Such accounts were made, each able to sign in and publish."""
    with pytest.raises(CommandError, match=re.escape(said)):
        call_command("ensure_editor", "--username", username)
    assert not User.objects.exists()


def test_ensure_editor_holds_the_house_password_to_the_desks_rules(monkeypatch, tmp_path,
                                                                   settings):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DATELINE_EDITOR_PASSWORD", "short")
    with pytest.raises(CommandError, match="DATELINE_EDITOR_PASSWORD: This password is too "
                                           "short"):
        call_command("ensure_editor")
    monkeypatch.setenv("DATELINE_EDITOR_PASSWORD", "editor2024")  # the desk refuses it too
    with pytest.raises(CommandError, match="too similar to the username"):
        call_command("ensure_editor")
    assert not User.objects.exists()


def test_ensure_editor_shows_the_kept_password_only_while_it_opens_the_account(
        monkeypatch, tmp_path, settings, capsys):
    """Run again with var/editor-password gone (or after the editor changed the password on
    the desk), it printed a password that did not open the account: a new random one was
    written to the file and shown, but never set."""
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DATELINE_EDITOR_PASSWORD", raising=False)
    call_command("ensure_editor")
    kept = (tmp_path / "editor-password").read_text().strip()
    assert f"password: {kept}" in capsys.readouterr().out
    call_command("ensure_editor")  # again: the same password, which still opens it
    assert f"password: {kept}" in capsys.readouterr().out
    (tmp_path / "editor-password").unlink()
    call_command("ensure_editor")
    said = capsys.readouterr().out
    assert "password: unchanged, and not the one kept in var/editor-password" in said
    assert not (tmp_path / "editor-password").exists()
    assert User.objects.get(username="editor").check_password(kept)
    editor = User.objects.get(username="editor")
    editor.set_password("changed-on-the-desk")
    editor.save()
    (tmp_path / "editor-password").write_text(kept)
    call_command("ensure_editor")
    assert kept not in capsys.readouterr().out
    call_command("ensure_editor", reset_password=True)
    renewed = (tmp_path / "editor-password").read_text().strip()
    assert f"password: {renewed}" in capsys.readouterr().out
    assert User.objects.get(username="editor").check_password(renewed)


@pytest.mark.parametrize("model", ["article", "section", "tag", "author", "source"])
def test_the_chief_editor_can_edit_every_newsroom_model(
    desk_client, make_user, model, make_article, make_tag, make_source, make_author
):
    client = desk_client(make_user("Chief editor"))
    article = make_article(tags=[make_tag("Moscow")], sources=[make_source("Le Monde")],
                           authors=[make_author("Ivan Petrov")])
    obj = {"article": article, "section": article.section, "tag": article.tags.get(),
           "author": article.authors.get(), "source": article.sources.get()}[model]
    for url in (f"/desk/newsroom/{model}/", f"/desk/newsroom/{model}/add/",
                f"/desk/newsroom/{model}/{obj.pk}/change/"):
        assert client.get(url).status_code == 200, url


def test_only_the_chief_editor_manages_users_and_sections_are_not_deleted_by_editors(
    desk_client, make_user, make_section
):
    section = make_section("World")
    editor = desk_client(make_user("Editor"))
    assert editor.get("/desk/newsroom/section/add/").status_code == 200
    assert editor.post(f"/desk/newsroom/section/{section.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert editor.get("/desk/auth/user/").status_code == 403
    assert Section.objects.filter(pk=section.pk).exists()


def article_post_data(article, **changes):
    data = {
        "headline": article.headline, "slug": article.slug, "standfirst": article.standfirst,
        "body": article.body, "dateline": article.dateline, "section": article.section_id,
        "original_url": "", "base_version": article.version,
    }
    data.update(changes)
    return data


def test_editing_in_the_desk_sanitises_keeps_the_url_and_records_a_revision(
    desk_client, make_user, make_article
):
    client = desk_client(make_user("Editor"))
    article = make_article("Original")
    response = client.post(
        f"/desk/newsroom/article/{article.pk}/change/",
        article_post_data(article, headline="Edited headline",
                          body="<p>New body.</p><script>alert(1)</script>"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert (article.headline, article.slug, article.version) == ("Edited headline", "original", 2)
    assert "<script>" not in article.body
    revision = article.revisions.get()
    assert (revision.headline, revision.version, revision.kind) == ("Edited headline", 2, "save")


def test_new_articles_start_as_drafts_owned_by_their_writer(desk_client, make_user, make_section):
    reporter = make_user("Contributor")
    client = desk_client(reporter)
    section = make_section("World")
    response = client.post("/desk/newsroom/article/add/", {
        "headline": "My first story", "slug": "", "standfirst": "", "body": "<p>Text.</p>",
        "dateline": "", "section": section.pk, "original_url": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert (article.status, article.created_by) == ("draft", reporter)
    assert article.audit_log.get().action == "create"
    assert article.revisions.count() == 1


@pytest.mark.parametrize("count", [3, 40])
def test_desk_list_costs_a_bounded_number_of_queries(
    count, desk_client, make_user, make_article, make_section, make_author,
    django_assert_max_num_queries,
):
    client = desk_client(make_user("Editor"))
    for i in range(count):
        section = make_section(f"Section {i}")
        make_user("Reporter")
        make_article(section=section, authors=[make_author(f"Author {i}")])
    for url in ("/desk/newsroom/article/", "/desk/newsroom/article/?status__exact=published",
                "/desk/newsroom/article/?q=Story"):
        # 6 for the session, the account and its permissions; the budget adds a constant 5
        # (who is editing, who saved last and who moved it last, "Your drafts", "Waiting for
        # you"), whatever the number of stories; a search one more, for bylines as written.
        with django_assert_max_num_queries(18 if "q=" in url else 17):
            assert client.get(url).status_code == 200
    assert Revision.objects.count() == 0


def test_deleting_a_published_story_says_what_it_does_and_the_gentler_way(
        desk_client, make_user, make_article):
    import lxml.html

    client = desk_client(make_user("Chief editor"))
    live = make_article("Minister resigns")
    draft = make_article("Notes for later", status=Article.Status.DRAFT, published_at=None)

    page = lxml.html.fromstring(
        client.get(f"/desk/newsroom/article/{live.pk}/delete/").content.decode())
    warning = " ".join(page.get_element_by_id("delete-warning").text_content().split())
    assert warning.startswith("“Minister resigns” is live.")
    assert "Partners who took it from the wire are told to take it down." in warning
    assert "Unpublish (kill)" in warning
    draft_page = client.get(f"/desk/newsroom/article/{draft.pk}/delete/")
    assert draft_page.status_code == 200 and b"delete-warning" not in draft_page.content


def test_deleting_a_story_someone_has_open_names_them(desk_client, make_user, make_article):
    """The reporter typing in it kept seeing "Draft kept", and their Save found it gone."""
    import lxml.html

    from dateline.newsroom.desk import presence

    draft = make_article("Notes for later", status=Article.Status.DRAFT, published_at=None)
    rita = make_user("Reporter", "rita")
    rita.first_name, rita.last_name = "Rita", "Moss"
    rita.save()
    presence.mark(draft, rita)
    page = lxml.html.fromstring(desk_client(make_user("Chief editor")).get(
        f"/desk/newsroom/article/{draft.pk}/delete/").content.decode())
    said = " ".join(page.get_element_by_id("delete-editing").text_content().split())
    assert said.startswith("Rita Moss (reporter) has had this story open since ")
    assert said.endswith("What they have not saved yet goes with the story: ask them first.")


def test_deleting_chosen_stories_names_the_published_ones(desk_client, make_user, make_article):
    import lxml.html

    client = desk_client(make_user("Chief editor"))
    live = make_article("Minister resigns")
    draft = make_article("Notes for later", status=Article.Status.DRAFT, published_at=None)

    response = client.post("/desk/newsroom/article/", {
        "action": "delete_selected", "_selected_action": [live.pk, draft.pk]})
    assert response.status_code == 200
    page = lxml.html.fromstring(response.content.decode())
    warning = page.get_element_by_id("delete-warning")
    assert " ".join(warning.text_content().split()).startswith(
        "1 of the chosen stories is published: “Minister resigns”")
    assert "Notes for later" not in warning.text_content()
    assert Article.objects.count() == 2  # asked, not yet deleted


def test_the_chief_editor_deletes_a_story_with_everything_the_machine_gave_it(
        desk_client, make_user, make_article):
    """Related links, topics and the like are the story's own rows: deleting it takes them,
    with no permission of their own asked (a chief editor could delete no story that had
    related stories: "your account doesn't have permission to delete: related story")."""
    from dateline.intelligence.models import RelatedStory

    client = desk_client(make_user("Chief editor"))
    story, other = make_article("Minister resigns"), make_article("Cabinet reshuffle")
    RelatedStory.objects.create(article=story, related=other, rank=1)
    RelatedStory.objects.create(article=other, related=story, rank=1)

    page = client.get(f"/desk/newsroom/article/{story.pk}/delete/").content.decode()
    assert "doesn't have permission" not in page and 'name="post" value="yes"' in page
    assert client.post(f"/desk/newsroom/article/{story.pk}/delete/",
                       {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    assert not RelatedStory.objects.exists()
    assert Article.objects.filter(pk=other.pk).exists()
    # The bulk action too.
    response = client.post("/desk/newsroom/article/", {
        "action": "delete_selected", "_selected_action": [other.pk], "post": "yes"})
    assert response.status_code == 302 and not Article.objects.exists()


def cascade_of(model, seen=None) -> set:
    """Every model whose rows go when a row of `model` is deleted (CASCADE, followed on)."""
    seen = set() if seen is None else seen
    for relation in model._meta.related_objects:
        if relation.on_delete is models.CASCADE and relation.related_model not in seen:
            seen.add(relation.related_model)
            cascade_of(relation.related_model, seen)
    return seen


# A desk account with an authenticator: only a superuser removes one (README, two-factor), so
# the chief editor makes such an account inactive, which keeps its history too.
LEFT_TO_DEACTIVATION = {"auth.User"}


def test_every_row_a_role_may_delete_it_can_delete_with_what_it_takes():
    """For each role, each desk model it may delete: every kind of row the deletion takes with
    it is one the role may delete, or the model's screen deletes its own rows (DeletesItsOwnRows).
    Else Django's page refuses the deletion the moment such a row exists (a chief editor could
    delete no analysed story and no tag the tagger had suggested)."""
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from dateline.newsroom.desk.own_rows import DeletesItsOwnRows

    refused = []
    for group in Group.objects.prefetch_related("permissions__content_type"):
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for model, screen in admin.site._registry.items():
            meta = model._meta
            if (f"{meta.app_label}.delete_{meta.model_name}" not in held
                    or isinstance(screen, DeletesItsOwnRows)
                    or meta.label in LEFT_TO_DEACTIVATION):
                continue
            # Django asks only for the rows the desk has a screen for.
            refused += [(group.name, meta.label, taken._meta.label)
                        for taken in cascade_of(model) if taken in admin.site._registry
                        and f"{taken._meta.app_label}.delete_{taken._meta.model_name}"
                        not in held]
    assert refused == []


def test_the_chief_editor_deletes_a_tag_with_its_aliases_and_suggestions(
        desk_client, make_user, make_article, make_tag):
    from dateline.intelligence.models import TagAlias, TagSuggestion

    client = desk_client(make_user("Chief editor"))
    tag = make_tag("Bashar al-Assad")
    TagAlias.objects.create(tag=tag, name="Assad")
    TagSuggestion.objects.create(article=make_article("Talks in Damascus"), tag=tag,
                                 confidence=0.9, origin="gazetteer")
    page = client.get(f"/desk/newsroom/tag/{tag.pk}/delete/").content.decode()
    assert "doesn't have permission" not in page
    assert client.post(f"/desk/newsroom/tag/{tag.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TagAlias.objects.exists() and not TagSuggestion.objects.exists()


def test_a_desk_page_the_role_does_not_open_says_so_in_the_desks_look(desk_client, make_user):
    """An editor opening a screen their role may only read met a bare "403 Forbidden"."""
    client = desk_client(make_user("Editor"))
    answer = client.get("/desk/auth/user/add/")
    page = answer.content.decode()
    assert answer.status_code == 403
    assert "Your role does not allow this." in page and 'id="user-tools"' in page
    assert 'href="/desk/"' in page
    as_json = client.get("/desk/auth/user/add/", headers={"Accept": "application/json"})
    assert as_json.status_code == 403 and as_json.json()["status"] == 403


def test_text_not_sent_as_utf8_is_refused_not_published_as_marks(
        desk_client, make_user, make_article):
    """The reader's form refused bytes that are not UTF-8; the desk stored them as U+FFFD, and
    the live page showed "Bad" and five replacement marks."""
    from urllib.parse import urlencode

    client = desk_client(make_user("Editor"))
    article = make_article("Original")
    fields = urlencode(article_post_data(article, headline="placeholder"))
    body = fields.replace("headline=placeholder", "headline=Bad%ff%fe%ed%a0%80head")
    response = client.post(f"/desk/newsroom/article/{article.pk}/change/", body,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Some characters could not be read" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Original" and article.version == 1
    # A replacement mark the story already held (a wire story's) does not stop its editor.
    type(article).objects.filter(pk=article.pk).update(headline="Caf\ufffd opens")
    article.refresh_from_db()
    saved = client.post(f"/desk/newsroom/article/{article.pk}/change/",
                        article_post_data(article, body="<p>More.</p>"))
    assert saved.status_code == 302


def test_a_story_opened_for_reading_shows_its_body_as_readers_see_it(
    desk_client, make_user, make_article
):
    """A reporter's published story opens for reading; its body was shown as HTML source
    ("<p>Water is rising.</p>" in words, tags and all)."""
    rita = make_user("Reporter")
    article = make_article("Flood warning", body="<p>Water is <em>rising</em>.</p>",
                           created_by=rita)
    page = desk_client(rita).get(f"/desk/newsroom/article/{article.pk}/change/")
    shown = page.content.decode()
    assert page.status_code == 200
    assert 'name="_continue"' not in shown and 'name="body"' not in shown  # for reading
    assert '<div class="body-as-read"><p>Water is <em>rising</em>.</p></div>' in shown
    assert "&lt;p&gt;" not in shown


def test_a_story_open_for_editing_keeps_its_body_in_the_editor(desk_client, make_user,
                                                               make_article):
    article = make_article("Flood warning", body="<p>Water is rising.</p>")
    page = desk_client(make_user("Editor")).get(f"/desk/newsroom/article/{article.pk}/change/")
    shown = page.content.decode()
    assert 'name="body"' in shown and "body-as-read" not in shown


def test_a_body_of_empty_paragraphs_is_refused_as_empty(desk_client, make_user, make_article):
    """Enter pressed once in the body's editor made "<p></p>": "required" passed."""
    client = desk_client(make_user("Editor"))
    article = make_article("Original")
    response = client.post(f"/desk/newsroom/article/{article.pk}/change/",
                           article_post_data(article, body="<p></p><p>&nbsp; </p><p><br></p>"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    article.refresh_from_db()
    assert article.version == 1
