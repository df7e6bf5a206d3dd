"""A sitemap opened in real headless Chromium: its XML tree is laid out by inline styles,
which the sitemaps' own policy allows, while nothing in it may load or run."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_sitemap_opened_in_a_browser_is_shown_without_a_policy_error(
    browser, live_server, make_article, make_section
):
    make_article("Budget passes", section=make_section("World"))
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    for url in ("/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/sections.xml"):
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
        assert "script-src" not in policy  # scripts fall back to 'none'
        page.wait_for_timeout(200)  # the viewer lays the tree out after the load
    assert errors == []
