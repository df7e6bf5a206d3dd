"""Addresses are remembered, never stale: a new slug, a section moved, another script prefix
or URL configuration each give the address Django's `reverse` gives."""

from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse, set_script_prefix

from dateline.base.addresses import address, asset


def test_a_storys_address_follows_its_slug(make_article):
    story = make_article("Floods close the port")
    first = story.get_absolute_url()
    assert first == reverse("site:article", kwargs={"pk": story.pk, "slug": story.slug})
    story.slug = "floods-close-the-port-and-the-airport"
    renamed = f"/articles/{story.pk}/floods-close-the-port-and-the-airport/"
    assert story.get_absolute_url() == renamed
    assert story.get_absolute_url() != first


def test_a_moved_section_and_a_renamed_tag_have_their_new_addresses(make_section, make_tag):
    world = make_section("World")
    assert world.get_absolute_url() == reverse("site:section", kwargs={"path": "world"})
    world.path = "international"
    assert world.get_absolute_url() == reverse("site:section", kwargs={"path": "international"})
    place = make_tag("Syria", kind="place")
    assert place.get_absolute_url() == "/places/syria/"
    place.slug = "syrian-arab-republic"
    assert place.get_absolute_url() == "/places/syrian-arab-republic/"


def test_the_script_prefix_the_site_is_served_under_is_kept(make_article):
    story = make_article("Talks resume in Geneva")
    plain = story.get_absolute_url()
    set_script_prefix("/agency/")
    try:
        assert story.get_absolute_url() == "/agency" + plain
        assert address("site:home") == "/agency/"
    finally:
        set_script_prefix("/")
    assert story.get_absolute_url() == plain


def test_another_url_configuration_gets_its_own_addresses(make_section):
    world = make_section("World")
    assert world.get_absolute_url() == "/section/world/"
    with override_settings(ROOT_URLCONF="tests.base.moved_site_urls"):
        assert world.get_absolute_url() == "/news/section/world/"
    assert world.get_absolute_url() == "/section/world/"


def test_the_address_tag_gives_what_the_url_tag_gives_under_any_prefix():
    from django.template import Context, Template

    both = Template("{% load dateline %}{% address 'site:home' %}|{% url 'site:home' %}|"
                    "{% address 'site:section' path='world/europe' %}|"
                    "{% url 'site:section' path='world/europe' %}|"
                    "{% url_if_exists 'edition:latest' %}|{% url_if_exists 'nothing:here' %}")
    assert both.render(Context()) == "/|/|/section/world/europe/|/section/world/europe/|" \
        f"{reverse('edition:latest')}|"
    set_script_prefix("/agency/")
    try:
        assert both.render(Context()).startswith("/agency/|/agency/|/agency/section/world/")
    finally:
        set_script_prefix("/")


def test_an_asset_is_the_address_static_gives_under_the_settings_in_force():
    first = asset("site/site.css")
    assert first == static("site/site.css")
    with override_settings(STATIC_URL="/assets/v2/"):
        moved = asset("site/site.css")
        assert moved == static("site/site.css")
        assert moved.startswith("/assets/v2/")
    assert asset("site/site.css") == first
    set_script_prefix("/agency/")
    try:
        assert asset("site/site.css") == static("site/site.css")
    finally:
        set_script_prefix("/")
