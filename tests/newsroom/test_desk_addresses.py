"""Desk addresses with values no record can have: a clear answer, never a 500 (found by
fuzzing every desk list with odd query strings)."""

import re

import pytest

pytestmark = pytest.mark.django_db

TOO_WIDE = "99999999999999999999999"  # more than a signed 64-bit column holds


@pytest.fixture
def editor(desk_client, make_user):
    return desk_client(make_user("Chief editor"))


@pytest.mark.parametrize("address", [
    f"/desk/newsroom/article/?id__in={TOO_WIDE}",
    f"/desk/newsroom/article/?section={TOO_WIDE}",
    f"/desk/newsroom/tag/?id__in=1,{TOO_WIDE}",
    f"/desk/ingest/item/?feed={TOO_WIDE}",
    f"/desk/intelligence/tagsuggestion/?tag={TOO_WIDE}",
    f"/desk/newsroom/article/add/?section={TOO_WIDE}",
    f"/desk/newsroom/article/?status=published&id__in=-{TOO_WIDE}",
])
def test_a_number_wider_than_any_column_is_refused_in_words(editor, make_article, address):
    make_article()
    response = editor.get(address)
    assert response.status_code == 400
    assert "larger than any record" in response.content.decode()


def test_a_wide_number_in_the_search_box_is_searched_for_not_refused(editor, make_article):
    make_article(headline=f"Lottery number {TOO_WIDE} drawn")
    response = editor.get(f"/desk/newsroom/article/?q={TOO_WIDE}")
    assert response.status_code == 200
    assert "Lottery number" in response.content.decode()


def selected_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)" selected', select.group(0))


def test_a_first_value_that_is_no_key_is_dropped_and_a_real_one_kept(
        editor, make_section, make_tag):
    world = make_section("World")
    moscow = make_tag("Moscow")
    response = editor.get("/desk/newsroom/article/add/?section=x&tags=1,x")
    assert response.status_code == 200
    assert selected_options(response.content.decode(), "section") == []
    response = editor.get(f"/desk/newsroom/article/add/?section={world.pk}&tags={moscow.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert selected_options(html, "section") == [str(world.pk)]
    assert selected_options(html, "tags") == [str(moscow.pk)]


# ---- Keys in addresses and forms -----------------------------------------------------------

def test_a_key_wider_than_any_column_in_a_public_address_is_a_404(client, make_article):
    article = make_article()
    assert client.get(f"/articles/{article.pk}/{article.slug}/").status_code == 200
    assert client.get(f"/articles/{TOO_WIDE}/{article.slug}/").status_code == 404
    assert client.get(f"/ads/click/{TOO_WIDE}").status_code == 404


def test_every_key_in_a_url_pattern_is_bounded():
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.converters import IntConverter

    def patterns(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield entry
                yield from patterns(entry)
            elif isinstance(entry, URLPattern):
                yield entry

    # Dateline's own views (a third-party app's look their keys up with Django's exact lookup,
    # which answers a key too wide for the column with no row).
    ours = [entry for entry in patterns(get_resolver()) if isinstance(entry, URLPattern)
            and entry.callback.__module__.startswith("dateline.")]
    assert len(ours) > 20
    unbounded = [f"{entry.pattern} <{name}>" for entry in ours
                 for name, converter in entry.pattern.converters.items()
                 if isinstance(converter, IntConverter) and name not in {"year", "month", "day"}]
    assert unbounded == []


@pytest.mark.parametrize("field, value", [
    ("section", "x"), ("section", TOO_WIDE), ("tags", "x"), ("tags", TOO_WIDE),
    ("authors", f"-{TOO_WIDE}"), ("sources", "1,x"),
])
def test_a_refused_article_form_with_a_broken_key_is_shown_again(editor, field, value):
    response = editor.post("/desk/newsroom/article/add/", {"headline": "A story", field: value})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_a_refused_section_form_with_a_broken_parent_is_shown_again(editor):
    response = editor.post("/desk/newsroom/section/add/", {"name": "World", "parent": "x"})
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors


@pytest.mark.parametrize("field", ["placements", "sections", "tags"])
def test_a_many_to_many_key_wider_than_any_column_is_an_invalid_choice(
        admin_client, field):
    response = admin_client.post("/desk/ads/campaign/add/", {"name": "Spring", field: TOO_WIDE})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert TOO_WIDE in str(errors[field])


def test_a_group_given_a_permission_key_wider_than_any_column_is_refused(admin_client):
    response = admin_client.post("/desk/auth/group/add/",
                                 {"name": "Night desk", "permissions": TOO_WIDE})
    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors


def test_every_desk_screen_with_related_fields_checks_the_keys_it_is_sent():
    from django.contrib import admin
    from django.db import models

    from dateline.newsroom.desk.keys import KeysCheckedAdmin

    def related(model_admin) -> bool:
        many = any(isinstance(f, models.ManyToManyField) for f in model_admin.model._meta
                   .get_fields() if not f.auto_created)
        return bool(model_admin.autocomplete_fields) or many

    screens = [*admin.site._registry.values()]
    screens += [inline(model_admin.model, admin.site) for model_admin in list(screens)
                for inline in model_admin.inlines]
    unchecked = [type(s).__name__ for s in screens
                 if related(s) and not isinstance(s, KeysCheckedAdmin)
                 and s.model._meta.app_label not in {"otp_totp", "django_tasks_database"}]
    assert unchecked == []


def test_no_desk_screen_shows_an_authenticators_secret(admin_client, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=make_user("Reporter"), name="phone", confirmed=True)
    for pk in (device.pk, TOO_WIDE, device.pk + 1):
        for screen in ("config", "qrcode"):
            response = admin_client.get(f"/desk/otp_totp/totpdevice/{pk}/{screen}/")
            assert response.status_code in (403, 404), (pk, screen)
    change = admin_client.get(f"/desk/otp_totp/totpdevice/{device.pk}/change/")
    assert change.status_code == 200
    assert device.key not in change.content.decode()


@pytest.mark.parametrize("base", [2**31, TOO_WIDE, "-5", "x"])
def test_a_version_no_story_has_is_refused_and_the_text_kept(editor, make_article, base):
    from dateline.newsroom.models import Article, Revision

    from .test_admin import article_post_data

    article = make_article("Before")
    response = editor.post(f"/desk/newsroom/article/{article.pk}/change/",
                           article_post_data(article, headline="After", base_version=base))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Article.objects.get(pk=article.pk).headline == "Before"
    kept = Revision.objects.filter(article=article, kind=Revision.Kind.REFUSED)
    assert [r.headline for r in kept] == ["After"]  # refused, never lost


@pytest.mark.parametrize("ticked", [["x"], [TOO_WIDE], ["\x00"], [f"-{TOO_WIDE}"]])
def test_a_list_action_on_rows_that_cannot_exist_does_nothing(editor, make_article, ticked):
    from dateline.newsroom.models import Article

    article = make_article(status=Article.Status.DRAFT)
    response = editor.post("/desk/newsroom/article/", {
        "action": "submit_selected", "index": "0", "_selected_action": ticked}, follow=True)
    assert response.status_code == 200
    assert "Items must be selected" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_a_list_action_on_real_rows_beside_impossible_ones_acts_on_the_real(
        editor, make_article):
    from dateline.newsroom.models import Article

    article = make_article(status=Article.Status.DRAFT)
    response = editor.post("/desk/newsroom/article/", {
        "action": "submit_selected", "index": "0",
        "_selected_action": [str(article.pk), TOO_WIDE, "x"]})
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


def test_cleaning_up_expired_login_attempts_works(admin_client, settings):
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="198.51.100.7", user_agent="x", path_info="/desk/login/",
        failures_since_start=1, get_data="", post_data="", http_accept="*/*")
    response = admin_client.post("/desk/axes/accessattempt/", {
        "action": "cleanup_expired_attempts", "index": "0",
        "_selected_action": [str(attempt.pk)]}, follow=True)
    assert response.status_code == 200
    assert "Cleaned up" in response.content.decode()


def test_a_number_of_thousands_of_digits_is_refused_like_any_wide_one(editor, make_article):
    endless = "9" * 5000  # more than Python reads as an int (4,300 digits)
    article = make_article()
    assert editor.get(f"/desk/newsroom/article/?id__in={endless}").status_code == 400
    response = editor.post(f"/desk/newsroom/article/{article.pk}/change/", {"tags": endless})
    assert response.status_code == 200
    assert "tags" in response.context["adminform"].form.errors
