"""A body's URLs made absolute for readers elsewhere (a partner's site, a feed reader, the desk
showing an outlet's item): dateline.newsroom.html.with_absolute_urls. Judged by lxml's HTML
parser and the standard library's URL reader, not by the function's own pattern."""

from urllib.parse import urlsplit

import lxml.html
from hypothesis import given
from hypothesis import strategies as st

from dateline.newsroom.html import sanitize_body, with_absolute_urls

BASE = "https://outlet.example/world/2026/story-1"
URLS = {"a": "href", "img": "src", "q": "cite", "blockquote": "cite"}


def urls(markup: str) -> list[str]:
    tree = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [element.get(attribute) for tag, attribute in URLS.items()
            for element in tree.iter(tag) if element.get(attribute) is not None]


def test_paths_fragments_and_protocol_relative_urls_resolve_against_the_page():
    body = sanitize_body(
        '<p><a href="/world/2">a</a> <a href="#more">b</a> <a href="photo/3">c</a>'
        ' <img src="//cdn.example/i.jpg" alt=""> <q cite="/quote">q</q></p>')
    assert urls(with_absolute_urls(body, BASE)) == [
        "https://outlet.example/world/2", "https://outlet.example/world/2026/story-1#more",
        "https://outlet.example/world/2026/photo/3", "https://cdn.example/i.jpg",
        "https://outlet.example/quote"]


def test_absolute_and_mail_urls_are_kept_and_unsafe_ones_stay_out():
    body = sanitize_body('<p><a href="https://other.example/x?a=1&amp;b=2">o</a>'
                         '<a href="mailto:desk@news.example">m</a>'
                         '<a href="javascript:alert(1)">j</a></p>')
    assert urls(with_absolute_urls(body, BASE)) == [
        "https://other.example/x?a=1&b=2", "mailto:desk@news.example"]


def test_without_a_web_page_to_resolve_against_a_path_is_dropped_and_its_words_kept():
    body = sanitize_body('<p>See <a href="/world/2">the map</a><img src="/i.jpg" alt="Map">'
                         '<img src="//cdn.example/i.jpg" alt=""></p>')
    for base in ("", "ftp://outlet.example/", "not a url", "http://[::1"):
        cleaned = with_absolute_urls(body, base)
        assert urls(cleaned) == ["https://cdn.example/i.jpg"]
        assert lxml.html.fragment_fromstring(cleaned, create_parent="div").text_content() == (
            "See the map")


def test_a_body_without_relative_urls_comes_back_as_it_is():
    body = sanitize_body('<p>Plain <a href="https://a.example/">words</a>.</p>')
    assert with_absolute_urls(body, BASE) is body


def test_a_body_of_many_tiny_paths_at_most_doubles():
    body = sanitize_body("<p>" + '<a href="x">a</a>' * 5_000 + "</p>")
    resolved = with_absolute_urls(body, "https://outlet.example/" + "p" * 1_900)
    assert len(resolved) <= 2 * len(body)
    found = urls(resolved)
    assert found and all(urlsplit(u).scheme == "https" for u in found)


def test_an_address_no_reader_could_follow_is_dropped():
    body = sanitize_body('<p><a href="/ok">ok</a><a href="//[bad">bad</a></p>')
    assert urls(with_absolute_urls(body, BASE)) == ["https://outlet.example/ok"]


@given(st.lists(st.sampled_from([
    "/a", "b/c", "#f", "?q=1", "//h.example/x", "https://h.example/", "mailto:x@y.example",
    "javascript:x", "data:text/html,x", "/\\h.example", " /s", "..", "", "%2F%2Fh.example",
    "http://[::1]/", "vbscript:x", "a:b"]), max_size=6), st.sampled_from(["a", "img", "q"]))
def test_every_url_left_is_absolute_and_of_a_safe_scheme(values, tag):
    attribute = URLS[tag]
    body = sanitize_body("<p>" + "".join(
        f'<{tag} {attribute}="{v}">x</{tag}>' if tag != "img" else f'<img src="{v}" alt="">'
        for v in values) + "</p>")
    for url in urls(with_absolute_urls(body, BASE)):
        assert urlsplit(url).scheme in {"http", "https", "mailto"}, url
