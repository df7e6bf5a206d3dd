"""Tag aliases on the desk: on the tag's page, and a list an editor can search."""

import pytest

from dateline.intelligence.models import TagAlias
from dateline.newsroom.models import Tag


@pytest.fixture
def editor(make_user):
    return make_user("Editor")  # who may change tags may change their other names


def inline_data(tag, *names) -> dict:
    data = {"name": tag.name, "slug": tag.slug, "kind": tag.kind, "description": "",
            "aliases-TOTAL_FORMS": str(len(names)), "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0", "aliases-MAX_NUM_FORMS": "1000"}
    for i, name in enumerate(names):
        data[f"aliases-{i}-name"] = name
    return data


@pytest.mark.django_db
def test_an_editor_adds_other_names_on_the_tags_page(desk_client, editor):
    assad = Tag.objects.create(name="Bashar al-Assad", kind=Tag.Kind.PERSON)
    client = desk_client(editor)
    url = f"/desk/newsroom/tag/{assad.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    assert b"Other names" in page.content

    response = client.post(url, inline_data(assad, "Assad", "al-Assad"))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(assad.aliases.values_list("name", "key")) == [
        ("Assad", "assad"), ("al-Assad", "al assad")]


@pytest.mark.django_db
def test_the_list_of_aliases_is_searched_by_name_and_tag(desk_client, editor):
    usa = Tag.objects.create(name="USA", kind=Tag.Kind.PLACE)
    TagAlias.objects.create(tag=usa, name="U.S.")
    TagAlias.objects.create(tag=Tag.objects.create(name="IMF", kind=Tag.Kind.ORGANISATION),
                            name="International Monetary Fund")
    client = desk_client(editor)

    found = client.get("/desk/intelligence/tagalias/", {"q": "USA"})

    assert found.status_code == 200
    assert b"U.S." in found.content
    assert b"International Monetary Fund" not in found.content


@pytest.mark.django_db
def test_a_reporter_sees_other_names_but_does_not_change_them(desk_client, make_user):
    usa = Tag.objects.create(name="USA", kind=Tag.Kind.PLACE)
    TagAlias.objects.create(tag=usa, name="U.S.")
    client = desk_client(make_user("Reporter"))

    assert b"U.S." in client.get("/desk/intelligence/tagalias/").content
    assert client.get("/desk/intelligence/tagalias/add/").status_code == 403
    assert client.post(f"/desk/newsroom/tag/{usa.pk}/change/",
                       inline_data(usa, "America")).status_code == 403
    assert list(usa.aliases.values_list("name", flat=True)) == ["U.S."]
