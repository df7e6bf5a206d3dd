"""Names found in copy (dateline.ingest.shingles.CAPITALISED): read as they always were, in
time that grows with the text, not with the square of a run of spaces in it."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.ingest.shingles import CAPITALISED

# As it was: "\s+ (of)? \s*" split a long run of spaces in every way before giving up.
BEFORE = re.compile(r"\b[A-Z][\w&'\u2019.-]*(?:\s+(?:of|de|du|des|la|le|van|von|der|and|&)?\s*"
                    r"[A-Z][\w&'\u2019.-]*)*")
PIECES = st.sampled_from(["Bank", "of", "America", "and", "de", "&", "Co", "officials", "the",
                          "Van", "der", "A", "ofA", " ", "  ", "\n", "\t", ",", ".", "O'Neil"])


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_names_found_are_those_found_before(text):
    assert CAPITALISED.findall(text) == BEFORE.findall(text)


def test_a_name_before_a_long_run_of_spaces_is_found_at_all():
    """200,000 spaces after a capitalised word: minutes before (0.19 s for 8,000)."""
    assert CAPITALISED.findall("Alpha" + " " * 200_000 + "beta Gamma Delta") == [
        "Alpha", "Gamma Delta"]
