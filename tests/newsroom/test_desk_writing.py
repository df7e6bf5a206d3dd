"""Writing a story: pick-or-create tags, sources and authors, the byline as written, the body
editor's offer (H2-H4, the sanitiser's set) and a change form without pop-up links."""

import json
import re

import pytest
from django_prose_editor.config import allowlist_from_extensions

from dateline.newsroom import roles
from dateline.newsroom.credit import credit
from dateline.newsroom.desk.forms import ArticleForm
from dateline.newsroom.desk.writing import EDITOR_EXTENSIONS
from dateline.newsroom.html import BODY_ATTRIBUTES, BODY_TAGS
from dateline.newsroom.models import Article, Author, Source, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(make_section):
    section = make_section("World")

    def data(**fields):
        return {"headline": "Budget passes", "body": "<p>Text.</p>", "section": section.pk,
                **fields}

    return data


def save(data, user, instance=None) -> Article:
    form = ArticleForm(data, user=user, instance=instance)
    assert form.is_valid(), form.errors
    return form.save()


def test_new_names_create_a_tag_a_source_and_an_author_once(story, make_user):
    editor = make_user(roles.EDITOR)
    first = save(story(tags=["new:Elections"], sources=["new:Reuters"],
                       authors=["new:Ann Lee"]), editor)
    second = save(story(tags=["new:elections"], sources=["new:REUTERS"],
                        authors=["new:ann lee"]), editor)
    assert Tag.objects.count() == Source.objects.count() == Author.objects.count() == 1
    tag = Tag.objects.get()
    assert (tag.name, tag.kind, tag.slug) == ("Elections", Tag.Kind.TOPIC, "elections")
    for article in (first, second):
        assert list(article.tags.all()) == [tag]
        assert [s.name for s in article.sources.all()] == ["Reuters"]
        assert [a.name for a in article.authors.all()] == ["Ann Lee"]


def test_a_new_name_matching_an_existing_one_picks_it(story, make_user, make_tag, make_source):
    sofia = make_tag("Sofia", Tag.Kind.PLACE)
    reuters = make_source("Reuters")
    article = save(story(tags=["new:SOFIA"], sources=["new:reuters"]), make_user(roles.EDITOR))
    assert list(article.tags.all()) == [sofia] and list(article.sources.all()) == [reuters]
    assert Tag.objects.count() == Source.objects.count() == 1


def test_a_name_typed_decomposed_or_with_a_control_character_picks_the_stored_one(
        story, make_user):
    """Typed as stored, not as sent: "Zoe" and a combining diaeresis (as macOS gives it), or a
    name holding a NUL, made another tag of the same name at every save (zoë-2, zoë-3)."""
    editor = make_user(roles.EDITOR)
    first = save(story(tags=["new:Zo\u00eb Ball", "new:nul\x00tag"],
                       authors=["new:Jose\u0301 Ruiz"]), editor)
    second = save(story(tags=["new:Zoe\u0308 Ball", "new:nultag"],
                        authors=["new:Jos\u00e9 Ruiz\x07"]), editor)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Zo\u00eb Ball", "nultag"]
    assert list(Author.objects.values_list("name", flat=True)) == ["Jos\u00e9 Ruiz"]
    assert set(first.tags.all()) == set(second.tags.all())


def test_a_digit_name_is_a_new_tag_not_the_tag_with_that_key(story, make_user):
    Tag.objects.create(pk=2024, name="Olympics")
    article = save(story(tags=["new:2024"]), make_user(roles.EDITOR))
    assert [t.name for t in article.tags.all()] == ["2024"]
    assert Tag.objects.get(pk=2024).name == "Olympics"


def test_a_kind_prefix_makes_a_person_or_a_place(story, make_user, make_tag):
    make_tag("Sofia")  # a topic of that name does not stand for the place
    article = save(story(tags=["new:place: Sofia", "new:person:Ann Lee", "new:Ideas: new"]),
                   make_user(roles.EDITOR))
    kinds = {t.name: t.kind for t in article.tags.all()}
    assert kinds == {"Sofia": Tag.Kind.PLACE, "Ann Lee": Tag.Kind.PERSON,
                     "Ideas: new": Tag.Kind.TOPIC}
    assert sorted(Tag.objects.filter(name="Sofia").values_list("kind", flat=True)) == [
        Tag.Kind.PLACE, Tag.Kind.TOPIC,
    ]


def test_a_clashing_slug_gets_a_number(story, make_user, make_source):
    make_source("Le Monde").slug  # noqa: B018 - slug "le-monde"
    article = save(story(sources=["new:Le-Monde"]), make_user(roles.EDITOR))
    assert article.sources.get().slug == "le-monde-2"


def test_a_role_without_the_add_permission_is_refused_cleanly(story, make_user, make_tag):
    make_tag("Sofia", Tag.Kind.PLACE)
    reporter = make_user(roles.REPORTER)
    form = ArticleForm(story(tags=["new:Brand new"], sources=["new:Reuters"]), user=reporter)
    assert not form.is_valid()
    assert "your role cannot create tags" in form.errors["tags"][0]
    assert "your role cannot create sources" in form.errors["sources"][0]
    # Picking what exists needs no such permission, even when typed.
    save(story(tags=["new:sofia"]), reporter)
    assert Tag.objects.count() == 1 and Source.objects.count() == 0


def test_every_name_a_role_may_not_create_is_named_and_none_is_offered(story, make_user):
    """A reporter was offered "NBC (new)" and "Le Monde (new)", took both, and was told of
    NBC only."""
    reporter, editor = make_user(roles.REPORTER), make_user(roles.EDITOR)
    form = ArticleForm(story(sources=["new:NBC", "new:Le Monde"]), user=reporter)
    assert not form.is_valid()
    assert form.errors["sources"][0].startswith(
        "“NBC”, “Le Monde” are not sources yet, and your role cannot create sources")
    assert 'data-may-create="0"' in str(form["sources"])  # picking.js offers no "(new)"
    assert 'data-may-create="1"' in str(ArticleForm(user=editor)["sources"])
    assert "data-no-results" not in str(ArticleForm(user=editor)["sources"])
    # Nor is a reporter told to "press Enter to add a new one", which did nothing.
    assert "press Enter" not in form.fields["tags"].help_text
    assert "an editor adds new tags" in form.fields["tags"].help_text
    assert "press Enter" in ArticleForm(user=editor).fields["tags"].help_text


def test_blank_and_overlong_names_are_refused_and_nothing_is_created(story, make_user):
    editor = make_user(roles.EDITOR)
    form = ArticleForm(story(tags=["new:  "], sources=["new:" + "x" * 151]), user=editor)
    assert not form.is_valid()
    assert form.errors["tags"] == ["A new tag needs a name."]
    assert "at most 150 characters (151 typed)" in form.errors["sources"][0]
    form = ArticleForm(story(tags=[f"new:Tag {i}" for i in range(21)]), user=editor)
    assert form.errors["tags"] == ["At most 20 new names at once (21 typed)."]
    # A form refused for another reason creates none of its new names either.
    form = ArticleForm(story(headline="", tags=["new:Elections"]), user=editor)
    assert not form.is_valid() and Tag.objects.count() == 0


def test_the_byline_as_written_is_saved_and_credited(story, make_user, make_author):
    staff = make_author("Staff Writer")
    article = save(story(authors=[staff.pk], byline_text="Reader report by Ann Lee"),
                   make_user(roles.EDITOR))
    assert credit(article).names == ["Reader report by Ann Lee"]
    article.byline_text = ""
    assert credit(article).names == ["Staff Writer"]


def test_the_change_form_picks_by_typing_without_pop_ups(desk_client, make_user, make_article):
    article = make_article("Budget passes")
    page = desk_client(make_user(roles.EDITOR)).get(
        f"/desk/newsroom/article/{article.pk}/change/"
    ).content.decode()
    for field in ("tags", "sources", "authors", "section"):
        assert f'id="add_id_{field}"' not in page and f'id="change_id_{field}"' not in page
    for field in ("tags", "sources", "authors"):
        select = re.search(rf'<select name="{field}"[^>]*>', page).group(0)
        assert 'class="pick-create"' in select and 'data-create-prefix="new:"' in select
    assert "related-widget-wrapper-link" not in page
    assert "Staff authors" in page and "or byline as written" in page
    assert "What readers see. Headings H2 to H4" in page
    assert "HTML; sanitised when saved" not in page
    assert 'class="headline-input"' in page and 'data-count-guide="110"' in page


def test_a_reposted_form_keeps_typed_new_names_selected(desk_client, make_user, make_section):
    client = desk_client(make_user(roles.EDITOR))
    section = make_section("World")
    page = client.post("/desk/newsroom/article/add/", {
        "headline": "", "body": "<p>Text.</p>", "section": section.pk,
        "tags": ["new:Elections"],
    }).content.decode()
    assert '<option value="new:Elections" selected>Elections (new)</option>' in page
    assert Tag.objects.count() == 0


def test_the_desk_saves_new_picks_with_the_article(desk_client, make_user, make_section):
    client = desk_client(make_user(roles.EDITOR))
    section = make_section("World")
    response = client.post("/desk/newsroom/article/add/", {
        "headline": "Budget passes", "body": "<p>Text.</p>", "section": section.pk,
        "tags": ["new:Elections"], "sources": ["new:Reuters"], "byline_text": "Reuters",
    })
    assert response.status_code == 302
    article = Article.objects.get()
    assert [t.name for t in article.tags.all()] == ["Elections"]
    assert [s.name for s in article.sources.all()] == ["Reuters"]
    assert article.byline_text == "Reuters"


def test_the_editor_offers_headings_h2_to_h4_only(desk_client, make_user):
    page = desk_client(make_user(roles.EDITOR)).get("/desk/newsroom/article/add/")
    html = page.content.decode()
    # The default preset ignores "extensions" and offers H1-H5: the desk must not use it.
    assert "data-django-prose-editor-default" not in html
    raw = re.search(r'data-django-prose-editor-configurable="([^"]*)"', html).group(1)
    config = json.loads(raw.replace("&quot;", '"'))
    assert config["extensions"]["Heading"] == {"levels": [2, 3, 4]}
    assert "django_prose_editor/overrides.css" in html  # the styles that show list bullets


def test_the_editor_offers_nothing_the_sanitiser_removes():
    offered = allowlist_from_extensions(EDITOR_EXTENSIONS)
    assert offered["tags"] <= BODY_TAGS
    assert {"h2", "h3", "h4", "ul", "ol", "li", "blockquote", "a"} <= offered["tags"]
    assert not {"h1", "h5", "h6"} & (offered["tags"] | BODY_TAGS)
    # Attributes the editor writes but the sanitiser drops lose nothing a reader sees.
    dropped = {tag: dropped for tag, attrs in offered["attributes"].items()
               if (dropped := set(attrs) - BODY_ATTRIBUTES.get(tag, set()))}
    assert dropped == {"a": {"rel"}, "ol": {"data-type"}}  # rel: the sanitiser sets its own


def test_a_numbered_list_keeps_its_start_and_style_when_saved(story, make_user):
    article = save(story(body='<ol start="3" type="a" data-type="x"><li>Third</li></ol>'),
                   make_user(roles.EDITOR))
    assert article.body == '<ol start="3" type="a"><li>Third</li></ol>'


@pytest.mark.parametrize(("field", "maker"), [("sources", "make_source"),
                                              ("tags", "make_tag"), ("authors", "make_author")])
def test_the_name_typed_exactly_comes_first_in_the_picker(desk_client, make_user, request,
                                                          field, maker):
    """"Reuters" typed and Enter took "Demo outlet — Reuters archive (replay)"."""
    make = request.getfixturevalue(maker)
    for name in ("Demo outlet — Reuters archive (replay)", "Ex-Reuters desk", "Reuters",
                 "Reuters Breakingviews"):
        make(name)
    found = desk_client(make_user(roles.EDITOR)).get("/desk/autocomplete/", {
        "term": "reuters", "app_label": "newsroom", "model_name": "article",
        "field_name": field}).json()["results"]
    assert [r["text"].removesuffix(" (topic)") for r in found] == [
        "Reuters", "Reuters Breakingviews", "Demo outlet — Reuters archive (replay)",
        "Ex-Reuters desk"]


def test_a_new_story_lists_every_section_for_a_browser_without_scripts(
        desk_client, make_user, make_section):
    """The section picker filled itself by script: without one a new story's list was empty,
    and Save said "Section: This field is required" with nothing to choose."""
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    sport = make_section("Sport")
    client = desk_client(make_user("Editor"))
    page = client.get("/desk/newsroom/article/add/").content.decode()
    picker = re.search(r'<select name="section"[^>]*>(.*?)</select>', page, re.S)
    assert picker, "no section list"
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', picker[1])
    assert options == [("", "---------"), (str(sport.pk), "Sport"), (str(world.pk), "World"),
                       (str(russia.pk), "World » Russia")]
    assert "admin-autocomplete" in picker[0]  # with scripts, still the search box
    saved = client.post("/desk/newsroom/article/add/", {
        "headline": "Filed without scripts", "body": "<p>Text.</p>", "section": russia.pk,
        "dateline": "", "original_url": ""})
    assert saved.status_code == 302, saved.content.decode()[:2000]
