"""What holds for every brief, whatever the story (hypothesis): within the limit, no dangling
quote, never empty for a story with words, ending as a sentence ends."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.intelligence.base import Story
from dateline.intelligence.briefs import sentences
from dateline.intelligence.briefs.lead import LeadSummariser

MAX = 60
ENDS_AS_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")  # noqa: RUF001 - closing quotes

# Words as copy has them: abbreviations, initials, figures, quotes typographic or not,
# tickers, datelines, table lines.
WORDS = st.sampled_from([
    "the", "minister", "said", "U.S.", "Mr.", "Jan.", "5", "4.5", "pct", "L.K.", "Evans",
    "Inc.", "The", "It", "rose", '"We', 'win,"', "“Never", "again.”", "„Ja", "«Non»", "and",
    "vs", "Shr", "1.23", "dlrs", "<BHAM.L>", "TOKYO,", "-", "REUTER", "?", "!", "...", "—",
    "told", "reporters.", "By", "Anna", "Smith", "(Reuters)", "e.g.", "said.", '"', "“", "”",
])
SENTENCE = st.lists(WORDS, min_size=1, max_size=40).map(" ".join)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
BODY = st.lists(PARAGRAPH, min_size=0, max_size=5).map("\n\n".join)
HEADLINE = st.one_of(st.just(""), SENTENCE, st.text(max_size=80))


@settings(max_examples=400, deadline=None)
@given(headline=HEADLINE, body=st.one_of(BODY, st.text(max_size=600)))
def test_every_brief_holds(headline, body):
    result = LeadSummariser().brief(Story(headline=headline, body=body), MAX)
    assert sentences.words(result) <= MAX
    assert sentences.double_quotes(result) % 2 == 0
    if (headline + body).split() and any(c.isalnum() for c in headline + body):
        assert result.strip()
    if result:
        assert ENDS_AS_SENTENCE.search(result)
