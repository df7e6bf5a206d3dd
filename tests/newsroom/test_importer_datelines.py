"""A wire dateline that runs on into the story's first words (importer/datelines.py)."""

import json

import pytest

from dateline.newsroom.importer import ImportProfile, import_file
from dateline.newsroom.importer.datelines import dateline_and_body
from dateline.newsroom.models import Article


@pytest.mark.parametrize(("dateline", "body", "expected"), [
    # Cut at the hyphen of "anti-inflation": the first sentence lost its first words.
    ('RIO DE JANEIRO, Feb 26 - Brazil\'s "Cruzado" anti',
     "inflation plan, initially hailed at home, is limping towards its first anniversary.",
     ("RIO DE JANEIRO, Feb 26", 'Brazil\'s "Cruzado" anti-inflation plan, initially hailed '
      "at home, is limping towards its first anniversary.")),
    # A suspended hyphen keeps its space.
    ("THE HAGUE, March 2 - Dutch imports of fat", "and oil-bearing raw materials rose.",
     ("THE HAGUE, March 2", "Dutch imports of fat- and oil-bearing raw materials rose.")),
    # Before anything else it reads as the dash it mostly was.
    ("Peoria, April 7 - Clear/43 degrees", "Hog prices are expected steady.",
     ("Peoria, April 7", "Clear/43 degrees - Hog prices are expected steady.")),
    ("LONDON, March 16 - State-owned <BAA PLC>",
     "formerly the British Airports Authority - is to be privatised.",
     ("LONDON, March 16", "State-owned <BAA PLC> - formerly the British Airports Authority - "
      "is to be privatised.")),
])
def test_the_words_past_the_date_go_back_to_the_body(dateline, body, expected):
    assert dateline_and_body(dateline, body) == expected


@pytest.mark.parametrize("dateline", [
    "SALVADOR, Feb 26",  # a dateline as it should be
    "CHEVY CHASE, Md., - March 4",  # odd, but nothing of the story in it
    "Ankara - a city",  # no date
    "",
])
def test_a_dateline_without_run_on_words_is_left_as_it_is(dateline):
    assert dateline_and_body(dateline, "Talks began.") == (dateline, "Talks began.")


@pytest.mark.django_db
def test_an_imported_story_reads_its_first_sentence_whole(tmp_path):
    record = {"id": "r-47", "title": "BRAZIL ANTI-INFLATION PLAN LIMPS TO ANNIVERSARY",
              "body": "inflation plan, initially hailed at home, is limping.\n\nIt froze prices.",
              "dateline": 'RIO DE JANEIRO, Feb 26 - Brazil\'s "Cruzado" anti',
              "published": "1987-02-26T15:01:01", "source": "Reuters"}
    (tmp_path / "a.jsonl").write_text(json.dumps(record) + "\n")
    assert import_file(tmp_path / "a.jsonl", ImportProfile()).errors == []
    article = Article.objects.get(external_id="r-47")
    assert article.dateline == "RIO DE JANEIRO, Feb 26"
    assert article.body.startswith(
        "<p>Brazil's \"Cruzado\" anti-inflation plan, initially hailed at home")
