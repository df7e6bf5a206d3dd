"""The "lead" summariser on the cases wire copy and features bring (issue 19, point 6)."""

import json

import pytest

from dateline.intelligence.base import Story
from dateline.intelligence.briefs import sentences
from dateline.intelligence.briefs.lead import LeadSummariser
from dateline.intelligence.plugins import summarisers

from ..conftest import require_shared

pytestmark = pytest.mark.one_engine

MAX = 60


def brief(body: str, headline: str = "A headline") -> str:
    return LeadSummariser().brief(Story(headline=headline, body=body), MAX)


def test_the_summariser_is_the_registry_s_lead():
    assert summarisers.get("lead") is LeadSummariser


@pytest.mark.parametrize(("text", "expected"), [
    ("Mr. Baker met Mrs. Thatcher in London. They talked.",
     ["Mr. Baker met Mrs. Thatcher in London.", "They talked."]),
    ("The deal closes on Jan. 5 next year. Shares rose.",
     ["The deal closes on Jan. 5 next year.", "Shares rose."]),
    ("Output rose 4.5 pct in March. Exports fell.",
     ["Output rose 4.5 pct in March.", "Exports fell."]),
    ("Arvin said L.K. Evans was elected. J. Smith retires.",
     ["Arvin said L.K. Evans was elected.", "J. Smith retires."]),
    # Reuters capitalises the word after "U.S."; only a sentence opener starts a new one.
    ("It sold cars in the U.S. And Canada. It sold cars in the U.S. The rest went to Japan.",
     ["It sold cars in the U.S. And Canada.", "It sold cars in the U.S.",
      "The rest went to Japan."]),
    ('"Why now?" he asked. Nobody knew.', ['"Why now?" he asked.', "Nobody knew."]),
    ("It bought Acme Inc. The price was not disclosed. Acme Inc. shares rose.",
     ["It bought Acme Inc.", "The price was not disclosed.", "Acme Inc. shares rose."]),
])
def test_sentences_split_where_a_reader_would(text, expected):
    assert sentences.split(text) == expected


def test_two_or_three_whole_sentences_within_the_limit():
    body = ("The central bank raised its main rate by half a point on Tuesday. Markets had "
            "expected a smaller move. Shares fell across the region. Bond yields rose.\n\n"
            "A second paragraph never reached.")
    assert brief(body) == ("The central bank raised its main rate by half a point on Tuesday. "
                           "Markets had expected a smaller move. Shares fell across the region.")


def test_a_sentence_that_would_pass_the_limit_is_left_out_not_cut():
    long = "It " + " ".join(["went"] * 60) + "."
    assert brief(f"The minister resigned today, the office said. {long}") == (
        "The minister resigned today, the office said.")


def test_wire_dateline_byline_ticker_and_sign_off_are_left_out():
    body = ("By Anna Smith\n\nTOKYO, March 3 - Beecham Group Plc <BHAM.L> said its unit "
            "<Beecham Pharmaceuticals> launched a new medicine. REUTER")
    assert brief(body) == ("Beecham Group Plc said its unit Beecham Pharmaceuticals launched a "
                           "new medicine.")
    assert brief("LONDON (Reuters) - Oil rose on Monday.") == "Oil rose on Monday."


def test_brackets_that_are_no_wire_mark_stay_as_the_story_wrote_them():
    body = ("Attackers hid a </script> tag in the comments. The <b> tag was left alone. "
            "Nothing else changed.")
    assert brief(body) == body


def test_a_quote_opened_and_closed_later_comes_whole_with_its_attribution():
    body = ('The minister spoke at noon. "We will not give in. We will win," the minister '
            "said. Crowds cheered. Police watched.")
    assert brief(body) == ('The minister spoke at noon. "We will not give in. We will win," '
                           "the minister said.")


def test_a_quote_that_would_not_fit_whole_is_dropped():
    long_quote = '"' + " ".join(["more"] * 50) + '. And even more of it," she said.'
    body = f'Talks broke down on Friday. "We are done. {long_quote[1:]}'
    result = brief(body)
    assert result == "Talks broke down on Friday."
    assert sentences.double_quotes(result) % 2 == 0


@pytest.mark.parametrize(("body", "expected"), [
    ('"Prices will rise. Sales will fall. Jobs will go. Nobody is safe," the finance minister '
     "said on Tuesday. He spoke in Sofia.",
     '"Prices will rise," the finance minister said on Tuesday.'),
    ("\u201cWill prices rise? Sales will fall. Jobs will go. Nobody is safe,\u201d the union "
     "leader told reporters.",
     "\u201cWill prices rise?\u201d the union leader told reporters."),
])
def test_a_lead_quote_too_long_to_take_whole_keeps_its_speaker(body, expected):
    """Four quoted sentences and their speaker: the brief was the first sentence, closed, a
    quotation of nobody."""
    assert brief(body) == expected


def test_a_quote_running_over_paragraphs_is_closed_where_its_first_paragraph_ends():
    result = brief('"We are ready to sign the agreement today.\n\n"Nothing stands in the way')
    # The second paragraph's quote never closes: it is not taken.
    assert result == '"We are ready to sign the agreement today."'


def test_a_lead_that_is_an_open_quote_never_closed_is_completed():
    long = " ".join(["more"] * 70)
    result = brief(f'"We are ready to sign. It is {long}.')
    assert result == '"We are ready to sign."'


def test_a_long_first_sentence_is_cut_at_a_clause_and_keeps_its_attribution():
    body = ("Showers continued throughout the week in the Bahia cocoa zone, alleviating the "
            "drought since early January and improving prospects for the coming temporao, "
            "although normal humidity levels have not been restored and the growers in the "
            "south of the state still fear for the main crop that is due in the coming weeks "
            "and months of the season, Comissaria Smith said in its weekly review.")
    result = brief(body)
    assert result == ("Showers continued throughout the week in the Bahia cocoa zone, "
                      "alleviating the drought since early January and improving prospects for "
                      "the coming temporao, Comissaria Smith said in its weekly review.")
    assert sentences.words(result) <= MAX


def test_a_table_lead_gives_the_headline_as_a_sentence():
    body = "Shr 1.23 dlrs vs 1.10 dlrs\n\nNet 7,274,000 vs 4,447,000\n\nRevs 161.6 mln vs 77.6 mln"
    assert brief(body, "DANAHER CORP <DHR> 4TH QTR NET") == "Danaher Corp 4th qtr net."
    assert brief("Period ended December 31.\n\nShr 25 cts vs 20 cts",
                 "<CINRAM LTD> YEAR NET") == "Cinram Ltd year net."


@pytest.mark.parametrize(("body", "expected"), [
    # A match preview's fact box: venue, date, kick-off, referee, then the story.
    ("Ewood Park\n\nTuesday, 1 March\n\n2000 GMT\n\nHoward Webb (South Yorkshire)\n\n"
     "Defender Andy Todd is suspended and could be replaced by Dominic Matteo if he recovers "
     "from a hamstring injury. Burnley have injury concerns over Frank Sinclair.",
     "Defender Andy Todd is suspended and could be replaced by Dominic Matteo if he recovers "
     "from a hamstring injury. Burnley have injury concerns over Frank Sinclair."),
    # A result line above the report.
    ("Arsenal win 4-2 on penalties\n\nThe Spanish goalkeeper saved from Alan Quinn and Jon "
     "Harley as Arsenal sealed a quarter-final trip to Bolton with a 4-2 victory on penalties.",
     "The Spanish goalkeeper saved from Alan Quinn and Jon Harley as Arsenal sealed a "
     "quarter-final trip to Bolton with a 4-2 victory on penalties."),
])
def test_short_lines_above_the_story_are_passed_over(body, expected):
    """The lead read only the first four paragraphs and stopped at a line with a figure in it:
    a preview's fact box or a result line above the report gave the headline as the brief
    ("Blackburn v Burnley.")."""
    assert brief(body, "Blackburn v Burnley") == expected


@pytest.mark.parametrize("body", [
    "Shr six cts\n\nNet 155,764\n\nRevs 6,506,792\n\nNOTE: Company formed in August 1986.",
    "Two-for-one stock split\n\nPay May 12\n\nNote: split is subject to approval of "
    "shareholders at April 23 annual meeting of the company, the company said in a statement.",
    "Shr loss 17.4 H.K. Cents (no comparison)\n\nDividend nil (no comparison)\n\n"
    "Net loss 11.49 mln dlrs.\n\nNotes - Net excluded extraordinary losses.",
])
def test_a_wire_table_and_its_note_still_give_the_headline(body):
    assert brief(body, "DONEGAL GROUP INC YEAR NET") == "Donegal Group Inc year net."


@pytest.mark.parametrize(("body", "expected"), [
    ("venezuela is seeking a constructive attitude from its creditor banks, finance minister "
     "manuel azpurua said.",
     "Venezuela is seeking a constructive attitude from its creditor banks, finance minister "
     "manuel azpurua said."),
    ("colombia's cost of living index rose 2.03 pct in february.",
     "Colombia's cost of living index rose 2.03 pct in february."),
    ("iPhone sales rose in the quarter.", "iPhone sales rose in the quarter."),
])
def test_a_brief_starts_with_a_capital_unless_its_first_word_is_a_name_written_so(body, expected):
    """76 Reuters stories were sent all in lower case, or lost their first words to the
    corpus's dateline: their briefs began "venezuela is seeking..."."""
    assert brief(body) == expected


def test_the_lead_ends_where_its_prose_does():
    """List items have no sentence mark: read on, they became one invented sentence ("First
    item Second link and more."). A heading before the lead is passed over."""
    assert brief("Prices rose in the capital.\n\nFirst item\n\nSecond link and more") == (
        "Prices rose in the capital.")
    assert brief("Background\n\nThe port closed at dawn. Ships waited.") == (
        "The port closed at dawn. Ships waited.")
    assert brief("Only a fragment", "Storm closes the port") == "Storm closes the port."


def test_a_brief_of_one_endless_word_is_bounded():
    made = brief("a" * 5400 + ".")
    assert len(made) <= 600 and made.endswith("…")
    spaced = brief(("Antidisestablishmentarianism " * 40).strip() + ".")
    assert len(spaced) <= 600 and spaced.endswith("ism…")


def test_a_story_without_body_gives_its_headline():
    assert brief("", "Storm closes the port") == "Storm closes the port."


@pytest.mark.parametrize("corpus", ["reuters-21578-train", "bbc-news"])
def test_real_wire_and_news_copy_gives_clean_briefs(corpus):
    """Every tenth story of the real corpora: within the limit, no dangling quote, ending as a
    sentence, never empty, and an attributed lead keeps its attribution."""
    path = require_shared(f"corpus/{corpus}/articles.jsonl")
    records = [json.loads(line) for line in path.read_text().splitlines()[::10]]
    summariser = LeadSummariser()
    for record in records:
        result = summariser.brief(Story(record["title"], record["body"]), MAX)
        assert 0 < sentences.words(result) <= MAX, record["id"]
        assert sentences.double_quotes(result) % 2 == 0, (record["id"], result)
        assert result[-1] in ".!?\"”", (record["id"], result)
        paragraphs = sentences.paragraphs(record["body"])
        if any(sentences.is_table(p) for p in paragraphs[:2]):
            continue  # a table's brief is its headline
        first = sentences.split(paragraphs[0])[0]
        if " said." in first and sentences.words(first) <= MAX:
            assert first.rsplit(",", 1)[-1] in result, record["id"]
