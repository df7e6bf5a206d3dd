"""Each role does its job from the desk, logged in through the real test client."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Section

pytestmark = pytest.mark.django_db


def test_an_editor_creates_and_renames_a_section(desk_client, make_user):
    editor = desk_client(make_user("Editor"))
    response = editor.post("/desk/newsroom/section/add/",
                           {"name": "Climate", "slug": "climate", "position": 3})
    assert response.status_code == 302, response.content.decode()[:2000]
    section = Section.objects.get(slug="climate")
    response = editor.post(f"/desk/newsroom/section/{section.pk}/change/",
                           {"name": "Climate and energy", "slug": "climate", "position": 3})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.name == "Climate and energy"


def test_a_section_address_taken_is_refused_in_an_editors_words(desk_client, make_user,
                                                                make_section):
    make_section("Climate")
    editor = desk_client(make_user("Editor"))
    page = editor.post("/desk/newsroom/section/add/",
                       {"name": "Climate desk", "slug": "climate", "position": 3}).content.decode()
    assert "A top-level section has this address (slug) already" in page
    assert "section_unique_root_slug" not in page


def test_the_chief_editor_creates_an_account_in_a_role(desk_client, make_user):
    chief = desk_client(make_user("Chief editor"))
    response = chief.post("/desk/auth/user/add/", {
        "username": "new.reporter", "usable_password": "true",
        "password1": "a long and unusual pass 42", "password2": "a long and unusual pass 42",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new.reporter")
    page = chief.get(f"/desk/auth/user/{user.pk}/change/")
    assert page.status_code == 200
    response = chief.post(f"/desk/auth/user/{user.pk}/change/", {
        "username": "new.reporter", "is_active": "on", "is_staff": "on",
        "groups": [Group.objects.get(name="Reporter").pk],
        "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(pk=user.pk)
    assert [g.name for g in user.groups.all()] == ["Reporter"] and user.is_staff
    assert user.has_perm("live.add_liveentry") and not user.has_perm("newsroom.publish_article")


def test_the_chief_editor_reads_the_newsrooms_audit_log(desk_client, make_user, make_article):
    article = make_article("Audited story", status=Article.Status.REVIEW, published_at=None)
    TRANSITIONS["publish"].execute(make_user("Editor", username="maria"), article)
    chief = desk_client(make_user("Chief editor"))
    page = chief.get("/desk/newsroom/auditentry/")
    assert page.status_code == 200
    row = re.search(r'<tr>.*?Audited story.*?</tr>', page.content.decode(), re.S).group(0)
    assert "maria" in row and "publish" in row
    # The record cannot be rewritten, not even by the chief editor.
    entry = article.audit_log.get()
    assert chief.post(f"/desk/newsroom/auditentry/{entry.pk}/delete/",
                      {"post": "yes"}).status_code == 403


def test_a_contributor_manages_neither_sections_people_nor_the_audit_log(
    desk_client, make_user, make_section
):
    section = make_section("World")
    contributor = desk_client(make_user("Contributor"))
    for url in ("/desk/newsroom/section/add/", "/desk/auth/user/", "/desk/auth/user/add/",
                "/desk/auth/group/", "/desk/newsroom/auditentry/"):
        assert contributor.get(url).status_code == 403, url
    response = contributor.post(f"/desk/newsroom/section/{section.pk}/change/",
                                {"name": "Hacked", "slug": "hacked", "position": 1})
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.name == "World"


def printed_password(out: str) -> str:
    return re.search(r"password: (\S+)", out).group(1)


def test_ensure_editor_gives_each_account_its_own_password(
    capsys, client, monkeypatch, tmp_path, settings
):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DATELINE_EDITOR_PASSWORD", raising=False)
    call_command("ensure_editor")
    out = capsys.readouterr().out
    house = printed_password(out)
    # The make-run account is told its role, and how colleagues get theirs (it adds none).
    assert "  role: Editor\n" in out
    assert "dateline ensure_editor --username NAME --role 'Chief editor'" in out
    call_command("ensure_editor", "--username", "ana", "--role", "Reporter")
    ana = printed_password(capsys.readouterr().out)
    call_command("ensure_editor", "--username", "boris", "--role", "Chief editor")
    out = capsys.readouterr().out
    boris = printed_password(out)
    assert "role: Chief editor" in out and "added by a chief editor" not in out
    assert len({house, ana, boris}) == 3
    assert User.objects.get(username="ana").check_password(ana)
    assert [g.name for g in User.objects.get(username="boris").groups.all()] == ["Chief editor"]
    # Run again, an account keeps its password and it is not shown; --reset-password renews it.
    call_command("ensure_editor", "--username", "ana")
    out = capsys.readouterr().out
    assert "password: unchanged" in out and ana not in out
    assert User.objects.get(username="ana").check_password(ana)
    call_command("ensure_editor", "--username", "ana", "--reset-password")
    renewed = printed_password(capsys.readouterr().out)
    assert renewed != ana and User.objects.get(username="ana").check_password(renewed)
    assert [g.name for g in User.objects.get(username="ana").groups.all()] == ["Reporter"]


def test_ensure_editor_help_names_username_and_role(capsys):
    with pytest.raises(SystemExit):
        call_command("ensure_editor", "--help")
    out = capsys.readouterr().out
    assert "--username" in out and "--role" in out and "--reset-password" in out


@pytest.mark.parametrize(("role", "offered"), [
    ("Contributor", {"submit_selected"}),
    ("Reporter", {"submit_selected"}),
    ("Editor", {"submit_selected", "publish_selected", "unpublish_selected",
                "return_selected"}),
])
def test_the_story_list_offers_each_role_only_the_moves_it_may_make(
        desk_client, make_user, role, offered):
    """A reporter was offered Publish and Kill, and walked through the kill's confirmation
    before being told their role may not."""
    import re

    page = desk_client(make_user(role)).get("/desk/newsroom/article/").content.decode()
    shown = set(re.findall(r'<option value="([a-z_]+_selected)"', page))
    assert shown == offered


def test_a_bulk_move_refused_for_many_stories_says_how_many_in_all(
        desk_client, make_user, make_article):
    from django.contrib.admin import helpers

    stories = [make_article(f"Already out {n}") for n in range(22)]  # published: no move
    client = desk_client(make_user("Editor"))
    answer = client.post("/desk/newsroom/article/", {
        "action": "publish_selected", helpers.ACTION_CHECKBOX_NAME: [s.pk for s in stories],
    }, follow=True)
    said = [str(m) for m in answer.context["messages"]]
    assert len(said) == 21 and said[-1] == "…and 2 more refused: 22 in all."
