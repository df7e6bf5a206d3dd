"""Wire headlines in capitals are set in house style, keeping acronyms, tickers and names."""

import json

import pytest

from dateline.newsroom.importer import ImportProfile, import_file
from dateline.newsroom.importer.headlines import HeadlineStyle, WordForms, learn_from_file
from dateline.newsroom.models import Article
from tests.conftest import require_shared

from .test_importer import wire, write_jsonl

pytestmark = pytest.mark.one_engine

# Real Reuters headlines of 1987 (../shared/corpus/reuters-21578-train) and their sentence-case
# forms, written by hand.
SENTENCE = {
    "reuters-17192": "Kumagai Gumi's unit seeks listing in Hong Kong",
    "reuters-144": "OPEC may have to meet to firm prices - analysts",
    "reuters-236": "Kuwait says no plans for emergency OPEC talks",
    "reuters-248": "Saudi Arabia reiterates commitment to OPEC pact",
    "reuters-12855": 'Stoltenberg sees no "Italian problem" at G-7',
    "reuters-14767": "Currency futures to key off G-5, G-7 meetings",
    "reuters-269": "Strong earthquake hits New Zealand",
    "reuters-307": "U.K. money market deficit forecast at 800 mln stg",
    "reuters-310": "Thailand announces third tapioca quota for EC",
    "reuters-346": "EC opens anti-dumping enquiry into Soviet mercury",
    "reuters-257": "Polish banker pleased with World Bank, IMF talks",
    "reuters-1594": "GATT to rule on U.S. customs user fee dispute",
    "reuters-1680": "GATT sets up dispute panel on Canadian herring",
    "reuters-420": "Whittaker Corp <WKR> 1st qtr Jan 31 net",
    "reuters-699": "CCR Video Corp <CCCR> 1st qtr Nov 30 net",
    "reuters-2496": "Swift Independent Packing Co <SFTPr> 1st qtr net",
    "reuters-46": "U.S. sugar imports down in week - USDA",
    "reuters-208": "Japan to try to open market to U.S. car parts",
    "reuters-213": "Japan consumer prices fall 0.4 pct in January",
    "reuters-62": "Treasury balances at Fed rose on Feb 25",
    "reuters-203": "Fed data suggest stable U.S. monetary policy",
    "reuters-10631": "Tentative pact agreed in GM <GM.N> strike",
    "reuters-6602": 'Boeing<BA> says no "give-aways" for AWACS offset',
    "reuters-10425": "IC Industries<ICX> up after Bear Stearns report",
    "reuters-10868": "<Cornucopia Resources Ltd> in drilling program",
    "reuters-12989": "Rohm/Haas <ROH> study cites high cancer levels",
    "reuters-8522": "1987 U.S. soybean loan should stay same-Amstutz",
    "reuters-11453": "Northrop <NOC> to spend 70 mln on R and D",
    "reuters-2706": "New Jersey Resources <NJR> to offer shares",
    "reuters-546": "I.M.S. International Inc <IMSI> sets quarterly",
    "reuters-3860": "H.J. Heinz Co <HNZ> 3rd qtr Jan 28 net",
    "reuters-10674": "BTR Nylex raises offer for Borg-Warner Australia",
    "reuters-6913": "Canterra Energy to drill well off Nova Scotia",
    "reuters-9745": "U.K. money market liquidity position expected flat",
    "reuters-2359": "Australia attacks U.S. GATT farm rules exemption",
    "reuters-2391": "Longview Fibre Co <LFBR> quarterly dividend",
    "reuters-3545": "Telephone and Data Systems Inc <TDS> 4th qtr net",
}
TITLE = {
    "reuters-17192": "Kumagai Gumi's Unit Seeks Listing in Hong Kong",
    "reuters-1680": "GATT Sets Up Dispute Panel on Canadian Herring",
    "reuters-12855": 'Stoltenberg Sees No "Italian Problem" at G-7',
}


@pytest.fixture(scope="module")
def reuters():
    path = require_shared("corpus/reuters-21578-train/articles.jsonl")
    wanted = SENTENCE.keys() | TITLE.keys()
    with path.open() as lines:
        records = {r["id"]: r for r in map(json.loads, lines) if r["id"] in wanted}
    return learn_from_file(path), records


def test_real_reuters_headlines_in_sentence_case(reuters):
    forms, records = reuters
    style = HeadlineStyle("sentence", forms)
    assert len(SENTENCE) >= 25
    got = {id_: style.apply(records[id_]["title"], records[id_]["body"]) for id_ in SENTENCE}
    assert got == SENTENCE


def test_real_reuters_headlines_in_title_case(reuters):
    forms, records = reuters
    style = HeadlineStyle("title", forms)
    assert {id_: style.apply(records[id_]["title"], records[id_]["body"]) for id_ in TITLE} == TITLE


def test_acronyms_come_from_the_corpus_bodies_not_a_list(reuters):
    forms, _ = reuters
    assert forms.counts("OPEC").most_common(1)[0][0] == "OPEC"
    assert forms.counts("CORP").most_common(1)[0][0] == "Corp"
    assert forms.counts("MLN").most_common(1)[0][0] == "mln"


def test_only_headlines_all_in_capitals_change():
    style = HeadlineStyle("sentence", WordForms())
    for sent in ("Venezuela seeks 'flexibility' from banks-azpurua",
                 "CHARTWELL GROUP LTD <CTWL> 4th qtr net", "Ad sales boost Time Warner profit"):
        assert style.apply(sent) == sent


def test_the_profiles_forms_win_and_unknown_short_words_without_vowels_stay():
    style = HeadlineStyle("sentence", WordForms().read("The company said net rose."),
                          {"QTR": "qtr"})
    assert style.apply("BRT COMPANY NET UP IN 1ST QTR") == "BRT company net up in 1st qtr"


@pytest.mark.django_db
def test_an_import_profile_asks_for_sentence_case(tmp_path):
    body = "Kumagai Gumi Co Ltd said its unit will seek a listing, OPEC officials said."
    path = write_jsonl(tmp_path / "a.jsonl",
                       wire("r-1", title="KUMAGAI GUMI'S UNIT SEEKS OPEC LISTING", body=body),
                       wire("r-2", title="Desk headline, KEPT as sent", body=body))
    profile_path = tmp_path / "p.toml"
    profile_path.write_text('[headlines]\ncase = "sentence"\n')
    import_file(path, ImportProfile.load(profile_path))
    assert dict(Article.objects.values_list("external_id", "headline")) == {
        "r-1": "Kumagai Gumi's unit seeks OPEC listing", "r-2": "Desk headline, KEPT as sent",
    }


def test_a_wrong_case_is_refused_with_the_choices(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    path = tmp_path / "p.toml"
    path.write_text('[headlines]\ncase = "upper"\n')
    with pytest.raises(ImproperlyConfigured, match="sentence, title"):
        ImportProfile.load(path)
