"""A teaser escapes as Django's `conditional_escape` does, byte for byte (site/teasers.py has
its own, without the check for lazy strings on every call)."""

from django.utils.functional import lazy
from django.utils.html import conditional_escape as djangos
from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st

from dateline.site.teasers import conditional_escape


@given(st.text())
def test_text_is_escaped_as_django_escapes_it(text):
    assert conditional_escape(text) == djangos(text)


@given(st.text())
def test_safe_text_is_left_as_it_is(text):
    assert conditional_escape(mark_safe(text)) == djangos(mark_safe(text)) == text


def test_numbers_and_lazy_text_are_written_as_text():
    lazy_text = lazy(lambda: 'Fish & "chips" <b>', str)()
    assert conditional_escape(lazy_text) == djangos(lazy_text) == (
        "Fish &amp; &quot;chips&quot; &lt;b&gt;")
    assert conditional_escape(1987) == djangos(1987) == "1987"
    assert conditional_escape("It's") == djangos("It's") == "It&#x27;s"
