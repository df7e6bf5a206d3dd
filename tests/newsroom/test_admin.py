import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command

from dateline.newsroom.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, monkeypatch, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DATELINE_EDITOR_PASSWORD", "correct-horse-battery")
    call_command("ensure_editor")
    assert client.login(username="editor", password="correct-horse-battery")
    return client


def test_editor_account_is_staff_with_newsroom_rights_only(editor_client):
    editor = User.objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert editor.has_perm("newsroom.change_article")
    assert not editor.has_perm("auth.change_user")
    assert Permission.objects.filter(content_type__app_label="newsroom").count() == len(
        editor.user_permissions.all()
    )


@pytest.mark.parametrize("model", ["article", "section", "tag", "author", "source"])
def test_every_newsroom_model_is_editable_in_the_desk(
    editor_client, model, make_article, make_tag, make_source, make_author
):
    article = make_article(tags=[make_tag("Moscow")], sources=[make_source("Le Monde")],
                           authors=[make_author("Ivan Petrov")])
    obj = {"article": article, "section": article.section, "tag": article.tags.get(),
           "author": article.authors.get(), "source": article.sources.get()}[model]
    for url in (f"/desk/newsroom/{model}/", f"/desk/newsroom/{model}/add/",
                f"/desk/newsroom/{model}/{obj.pk}/change/"):
        assert editor_client.get(url).status_code == 200, url


def test_editing_an_article_in_the_desk_sanitises_and_keeps_the_url(editor_client, make_article):
    article = make_article("Original")
    response = editor_client.post(
        f"/desk/newsroom/article/{article.pk}/change/",
        {
            "headline": "Edited headline", "slug": article.slug, "standfirst": "",
            "body": "<p>New body.</p><script>alert(1)</script>", "dateline": "",
            "section": article.section.pk, "status": "published",
            "published_at_0": article.published_at.strftime("%Y-%m-%d"),
            "published_at_1": article.published_at.strftime("%H:%M:%S"),
            "updated_at_0": "", "updated_at_1": "", "original_url": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.headline == "Edited headline"
    assert article.slug == "original"
    assert "<script>" not in article.body


def test_article_changelist_query_count_is_bounded(
    editor_client, make_article, django_assert_max_num_queries
):
    for _ in range(30):
        make_article()
    with django_assert_max_num_queries(12):
        assert editor_client.get("/desk/newsroom/article/").status_code == 200
    assert Article.objects.count() == 30
