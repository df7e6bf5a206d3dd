"""`dateline intelligence rebuild` and `train` on a small archive."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dateline.intelligence.models import Analysis, Brief, RelatedStory, TagSuggestion
from dateline.intelligence.pipeline import analyse
from dateline.newsroom.models import Article, Tag

from .pipeline_parts import use_test_parts

STORIES = [
    ("Wheat prices rise in Sofia", "<p>Wheat prices rose in Sofia as farmers held back "
     "their grain, said Ivanov.</p><p>Traders expect more rises.</p>"),
    ("Wheat exports fall", "<p>Wheat exports fell for a second month, Ivanov said.</p>"),
    ("Chess final drawn", "<p>The chess final in Plovdiv ended in a draw.</p>"),
    ("Barley harvest early", "<p>The barley harvest came early this year.</p>"),
    ("Rain floods roads", "<p>Rain flooded roads near Varna overnight.</p>"),
]


def intelligence(*args) -> str:
    out = StringIO()
    call_command("intelligence", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def archive(make_article, make_tag):
    ivanov, grain = make_tag("Ivanov", Tag.Kind.PERSON), make_tag("Grain")
    stories = []
    for age, (headline, body) in enumerate(STORIES):
        stories.append(make_article(headline, body=body, age=timedelta(days=age)))
    stories[0].tags.set([ivanov, grain])
    stories[1].tags.set([grain])
    return stories


def test_rebuild_goes_newest_first_and_starts_again_where_it_stopped(settings, tmp_path,
                                                                     archive):
    use_test_parts(settings, tmp_path)
    out = intelligence("rebuild", "--limit", "2")
    assert "2 of 2: 2 analysed, 0 unchanged" in out
    assert set(Analysis.objects.values_list("article", flat=True)) == {a.pk for a in archive[:2]}
    out = intelligence("rebuild")  # stopped, or run again: the done ones are skipped
    assert "Done: 3 analysed, 2 unchanged." in out
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert "Analysing 2 stories" in intelligence("rebuild", "--since", since, "--force")
    with pytest.raises(CommandError):
        intelligence("rebuild", "--limit", "0")


def test_train_learns_from_the_sites_tagged_published_stories(settings, tmp_path, archive,
                                                              make_article):
    use_test_parts(settings, tmp_path)
    make_article("A tagged draft", status=Article.Status.DRAFT,
                 tags=[Tag.objects.create(name="Petrov", kind=Tag.Kind.PERSON)])
    out = intelligence("train")
    assert "Learning from 2 tagged, published stories." in out
    assert "person: 1 labels; most used: Ivanov (1)" in out
    assert "topic: 1 labels; most used: Grain (2)" in out
    assert (Path(tmp_path) / "tagger" / "test-words" / "names.json").exists()
    story = make_article("Ivanov speaks", body="<p>Ivanov spoke about the harvest.</p>")
    analyse(story)
    assert TagSuggestion.objects.get(article=story).tag.name == "Ivanov"


def test_train_with_nothing_tagged_says_so(settings, tmp_path, make_article):
    use_test_parts(settings, tmp_path)
    make_article("Untagged")
    with pytest.raises(CommandError, match="nothing to learn from"):
        intelligence("train")


def test_the_real_parts_train_and_rebuild_the_archive(settings, tmp_path, archive):
    """The parts the settings choose (gazetteer, linear, tfidf, lead), end to end."""
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)
    assert "Trained the tagger 'gazetteer'" in intelligence("train")
    assert "Done: 5 analysed, 0 unchanged." in intelligence("rebuild")
    analysis = Analysis.objects.get(article=archive[0])
    assert all(name in analysis.version for name in ("gazetteer", "linear", "tfidf", "lead"))
    assert Brief.objects.get(article=archive[0]).text.startswith("Wheat prices rose in Sofia")
    related = RelatedStory.objects.filter(article=archive[0]).values_list("related", flat=True)
    assert list(related)[:1] == [archive[1].pk]


def test_what_train_learnt_is_part_of_the_version_so_stories_are_analysed_again(
        settings, tmp_path, archive):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)
    assert "Done: 5 analysed" in intelligence("rebuild")  # untrained parts
    untrained = Analysis.objects.get(article=archive[0]).version
    assert "@" not in untrained
    intelligence("train")
    assert "Done: 5 analysed, 0 unchanged." in intelligence("rebuild")  # no --force needed
    trained = Analysis.objects.get(article=archive[0]).version
    assert trained != untrained and "gazetteer:" in trained and "@" in trained
    assert "Done: 0 analysed, 5 unchanged." in intelligence("rebuild")


def test_train_unless_trained_learns_once(settings, tmp_path, archive):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)
    assert "Learning from 2 tagged" in intelligence("train", "--unless-trained")
    saved = sorted(p for p in Path(tmp_path).rglob("*") if p.is_file())
    assert saved
    stamps = [p.stat().st_mtime_ns for p in saved]
    assert "learnt before; nothing to do" in intelligence("train", "--unless-trained")
    assert [p.stat().st_mtime_ns for p in saved] == stamps


def test_train_unless_trained_learns_again_what_an_upgraded_part_refuses(settings, tmp_path,
                                                                           archive):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)
    intelligence("train")
    model = Path(tmp_path) / "tagger" / "gazetteer" / "gazetteer.json"
    saved = json.loads(model.read_text())
    model.write_text(json.dumps({**saved, "written_by": "an older tagger"}))
    assert "Learning from 2 tagged" in intelligence("train", "--unless-trained")
    assert json.loads(model.read_text())["written_by"] != "an older tagger"
    assert "learnt before; nothing to do" in intelligence("train", "--unless-trained")
