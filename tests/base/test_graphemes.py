"""Text is cut between the characters a reader sees, never inside one."""

import regex
from hypothesis import given
from hypothesis import strategies as st

from dateline.base.graphemes import clipped

FLAG = "\U0001f1e7\U0001f1ec"  # Bulgaria: two regional indicators
FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # three people joined by U+200D


def test_a_flag_a_family_and_an_accent_are_kept_whole_or_left_out():
    assert clipped("x" + FLAG * 5, 4) == "x" + FLAG  # not x, a flag and half of one
    assert clipped("ab" + FAMILY, 6) == "ab"
    assert clipped("Cafe\u0301\u0323 open", 5) == "Caf"  # e with two marks NFC leaves apart
    assert clipped("short", 300) == "short"


def test_a_first_character_longer_than_the_limit_is_cut_as_code_points():
    zalgo = "Z" + "\u0336" * 500
    assert clipped(zalgo, 300) == zalgo[:300]


@given(st.text(alphabet=st.sampled_from(["a", " ", "\u0301", "\u200d", "\U0001f469",
                                         "\U0001f1e7", "\U0001f1ec", "\ufe0f", "\U0001f3fd"])),
       st.integers(min_value=1, max_value=40))
def test_the_cut_is_the_longest_start_of_whole_clusters_within_the_limit(text, limit):
    cut = clipped(text, limit)
    assert text.startswith(cut) and len(cut) <= limit
    ends = [0] + [m.end() for m in regex.finditer(r"\X", text)]
    if len(text) <= limit:
        assert cut == text
    elif ends[1] > limit:
        assert cut == text[:limit]
    else:
        assert len(cut) == max(end for end in ends if end <= limit)
