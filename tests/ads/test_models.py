"""Campaigns: the HTML creative is sanitised, a creative is required, links are http(s)."""

import pytest
from django.core.exceptions import ValidationError

from dateline.ads.creative import sanitise_creative
from dateline.ads.models import Campaign

pytestmark = pytest.mark.django_db


def test_html_creative_keeps_words_and_drops_scripts_links_and_styles():
    cleaned = sanitise_creative(
        '<p onclick="x()" style="color:red">Hello <a href="https://x.example">there</a>'
        '<script>alert(1)</script><img src="https://tracker.example/p.gif">'
        '<img src="/static/site/logo.png" alt="Logo"><iframe src="/"></iframe></p>')
    assert cleaned == '<p>Hello there<img><img src="/static/site/logo.png" alt="Logo"></p>'


# Paths a browser reads as another origin: a backslash is a slash there, tabs and newlines are
# dropped (tests/ads/test_browser.py asks Chromium itself).
OTHER_ORIGINS = ["//evil.example/p.gif", "/\\evil.example/p.gif", "\\/evil.example/p.gif",
                 "/\t/evil.example/p.gif", "/\n/evil.example/p.gif", "\t//evil.example/p.gif",
                 "https://evil.example/p.gif", "data:image/gif;base64,R0lGODlhAQABAAAAACw="]
OWN_PATHS = ["/media/ads/banner.png", "/static/site/logo.png?v=2"]
# The site's own, but no image: its counters and pages, which every reader's browser would ask.
OTHER_PATHS = ["/ads/click/2", "/r/impression/3", "/desk/logout/", "/media/../ads/click/2",
               "/static/%2e%2e/ads/click/2", "/media/%2E%2E/r/view/1", "/media/./../ads/click/2",
               "/static\\..\\ads/click/2", "media/ads/banner.png"]


@pytest.mark.parametrize("src", OTHER_ORIGINS)
def test_an_image_of_another_origin_is_dropped_however_written(src):
    cleaned = sanitise_creative(f'<p>Offer<img src="{src}" alt="x"></p>')
    assert cleaned == '<p>Offer<img alt="x"></p>'


@pytest.mark.parametrize("src", OTHER_PATHS)
def test_an_image_naming_any_other_path_of_the_site_is_dropped(src):
    cleaned = sanitise_creative(f'<p>Offer<img src="{src}" alt="x"></p>')
    assert cleaned == '<p>Offer<img alt="x"></p>'


@pytest.mark.parametrize("src", OWN_PATHS)
def test_an_image_of_the_site_itself_is_kept(src):
    cleaned = sanitise_creative(f'<img src="{src}" alt="x">')
    assert cleaned == f'<img src="{src.replace("&", "&amp;")}" alt="x">'


def test_saving_sanitises_whoever_saves(make_campaign):
    campaign = make_campaign(html='<p>Offer</p><script>steal()</script>')
    campaign.refresh_from_db()
    assert campaign.html == "<p>Offer</p>"


def test_a_campaign_needs_exactly_one_creative():
    with pytest.raises(ValidationError, match="either a photo or an HTML creative"):
        Campaign(name="Empty", link="https://a.example").full_clean()


def test_links_are_http_or_https_only():
    with pytest.raises(ValidationError) as refused:
        Campaign(name="X", html="<p>x</p>", link="javascript:alert(1)").full_clean()
    assert "link" in refused.value.message_dict


def test_the_end_comes_after_the_start():
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(ValidationError) as refused:
        Campaign(name="X", html="<p>x</p>", link="https://a.example", starts_at=now,
                 ends_at=now).full_clean()
    assert "ends_at" in refused.value.message_dict


def test_a_creative_nested_deep_reaches_the_sanitisers_parser_shallow(monkeypatch):
    """html5ever's time grows with the square of the nesting (50,000 nested quotes, 3.5 s
    of the desk's save): the parser is handed at most 4 x MAX_DEPTH of them."""
    import nh3

    from dateline.ads import creative
    from dateline.newsroom.html import MAX_DEPTH

    handed = []
    clean = nh3.clean
    monkeypatch.setattr(creative.nh3, "clean", lambda markup, **kw: handed.append(markup)
                        or clean(markup, **kw))
    assert sanitise_creative("<blockquote>" * 50_000 + "<p>Offer</p>") == "<p>Offer</p>"
    assert handed[0].count("<blockquote>") <= 4 * MAX_DEPTH
