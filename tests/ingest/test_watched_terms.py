"""The monitor's first watched terms come from the site's country (DATELINE_COUNTRY), which
did nothing: every site watched Bulgaria whatever its country."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.settings.base import _watched_terms

pytestmark = pytest.mark.one_engine


def test_the_demo_country_keeps_its_terms():
    assert _watched_terms("BG", None) == ["Bulgaria", "Bulgarian", "Bulgarians", "Sofia"]


def test_another_country_is_watched_by_its_name_and_the_words_a_newsroom_adds():
    assert _watched_terms("FR", None) == ["France"]
    assert _watched_terms("FR", "French, Paris ,") == ["France", "French", "Paris"]
    # The name newsrooms write, not the ISO list's "Taiwan, Province of China".
    assert _watched_terms("TW", "")[0] == "Taiwan"


def test_a_code_that_is_no_country_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="'XX' is not an ISO 3166 alpha-2"):
        _watched_terms("XX", None)
