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
