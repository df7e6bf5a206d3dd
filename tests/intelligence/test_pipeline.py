"""How a saved story gets its suggestions: queued on save, analysed by the worker, written
without ever undoing an editor's decision."""

import logging

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dateline.intelligence.models import (
    Analysis,
    Brief,
    Decision,
    RelatedStory,
    StoryTopic,
    TagAlias,
    TagSuggestion,
)
from dateline.intelligence.pipeline import analyse
from dateline.intelligence.tasks import analyse_stories, analyse_story
from dateline.newsroom.models import Article, Tag
from dateline.newsroom.signals import articles_bulk_changed

from ..newsroom.test_admin import article_post_data
from ..newsroom.test_scheduling import run_worker
from .pipeline_parts import use_test_parts

WHEAT = ("<p>Farmers near Sofia sold wheat to Acme on Monday, said Borisov.</p>"
         "<p>Wheat prices rose for a third week.</p>")


@pytest.fixture(autouse=True)
def parts(settings, tmp_path):
    use_test_parts(settings, tmp_path / "models")
    settings.DATELINE_INTELLIGENCE_APPLY_AT = 0.9


def suggestions(article) -> dict[str, str]:
    return dict(TagSuggestion.objects.filter(article=article)
                .values_list("tag__name", "decision"))


def queued(task) -> list:
    return list(DBTaskResult.objects.filter(task_path=task.module_path,
                                            status=TaskResultStatus.READY)
                .values_list("args_kwargs__args", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_desk_save_queues_one_analysis_that_the_worker_runs(desk_client, make_user,
                                                               make_article):
    article = make_article("Grain sales", body=WHEAT, status=Article.Status.DRAFT)
    client = desk_client(make_user("Editor"))
    for version in (1, 2):  # saved twice before the worker comes: analysed once
        response = client.post(f"/desk/newsroom/article/{article.pk}/change/",
                               article_post_data(article, base_version=version))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert queued(analyse_story) == [[article.pk]]
    assert not Analysis.objects.filter(article=article).exists()  # not in the request
    run_worker()
    assert suggestions(article) == {"Sofia": "applied", "Borisov": "pending",
                                    "Acme": "pending", "Grain": "pending"}
    assert Analysis.objects.get(article=article).version.startswith("test-words:1")


def test_an_analysis_writes_suggestions_topics_related_and_brief(make_article, make_section,
                                                                make_tag):
    farming = make_section("Farming", medtop="20000209")
    crops = make_section("Crops", parent=farming)
    older = make_article("Wheat harvest near Sofia", body="<p>Wheat grew well this year.</p>")
    draft = make_article("Wheat draft", body="<p>Wheat.</p>", status=Article.Status.DRAFT)
    borisov = make_tag("Boyko Borisov", "person")
    TagAlias.objects.create(tag=borisov, name="Borisov")
    sofia = make_tag("Sofia", "place")
    article = make_article("Grain sales", body=WHEAT, section=crops)

    assert analyse(article) is True
    found = {s.tag: s for s in TagSuggestion.objects.filter(article=article)}
    assert found[sofia].decision == Decision.APPLIED and found[sofia].confidence == 0.95
    assert found[borisov].decision == Decision.PENDING  # matched by its alias
    assert found[borisov].evidence == "Borisov" and found[borisov].origin == "test-words"
    grain = Tag.objects.get(name="Grain")
    assert grain.kind == Tag.Kind.TOPIC and found[grain].origin == "test-wheat"
    assert set(article.tags.all()) == {sofia}
    assert set(StoryTopic.objects.filter(article=article).values_list(
        "scheme", "code", "confidence", "origin")) == {
        ("medtop", "20000209", 1.0, "section"), ("archive", "Grain", 0.8, "test-wheat")}
    related = list(RelatedStory.objects.filter(article=article).values_list("related", "origin"))
    assert related == [(older.pk, "computed")] and draft.pk not in dict(related)
    brief = Brief.objects.get(article=article)
    assert brief.text == brief.machine_text == ("Farmers near Sofia sold wheat to Acme on "
                                                "Monday, said Borisov. Wheat")


def test_editors_decisions_survive_every_analysis(make_article, settings):
    article = make_article("Grain sales", body=WHEAT)
    analyse(article)
    by_name = {s.tag.name: s for s in TagSuggestion.objects.filter(article=article)}
    by_name["Borisov"].decision = Decision.ACCEPTED  # as decisions.accept does: on the story
    by_name["Borisov"].save()
    article.tags.add(by_name["Borisov"].tag)
    by_name["Acme"].decision = Decision.REJECTED
    by_name["Acme"].save()
    article.tags.remove(by_name["Sofia"].tag)  # an editor took the applied tag off

    settings.DATELINE_INTELLIGENCE_APPLY_AT = 0.1  # now the machine would apply everything
    article.body = WHEAT.replace("wheat", "barley").replace("Wheat", "Barley")
    article.save()
    assert analyse(article) is True
    assert suggestions(article) == {"Borisov": "accepted", "Acme": "rejected",
                                    "Sofia": "rejected"}  # Grain: pending, not found, gone
    assert TagSuggestion.objects.get(article=article, tag__name="Sofia").decided_by is None
    assert set(article.tags.values_list("name", flat=True)) == {"Borisov"}
    assert not StoryTopic.objects.filter(article=article, scheme="archive").exists()


def test_pinned_and_removed_related_stories_are_kept(make_article):
    a = make_article("Wheat exports", body="<p>Wheat exports grew.</p>")
    b = make_article("Wheat imports", body="<p>Wheat imports fell.</p>")
    c = make_article("Chess results", body="<p>Chess results: draws.</p>")
    article = make_article("Wheat news", body="<p>Wheat exports and imports.</p>")
    RelatedStory.objects.create(article=article, related=c, origin="pinned", rank=0)
    RelatedStory.objects.create(article=article, related=a, origin="removed")
    analyse(article)
    rows = list(RelatedStory.objects.filter(article=article).order_by("rank", "origin")
                .values_list("related", "origin", "rank"))
    assert (c.pk, "pinned", 0) in rows and (a.pk, "removed", 0) in rows
    assert (b.pk, "computed", 1) in rows and len(rows) == 3


def test_an_edited_brief_is_kept_and_the_machines_follows_the_text(make_article):
    article = make_article("Grain sales", body=WHEAT)
    analyse(article)
    Brief.objects.filter(article=article).update(text="Our words.", edited_at="2026-01-01T00:00Z")
    article.body = "<p>Barley was sold instead.</p>"
    article.save()
    analyse(article)
    brief = Brief.objects.get(article=article)
    assert (brief.text, brief.machine_text) == ("Our words.", "Barley was sold instead.")


def test_unchanged_text_is_skipped_unless_forced(make_article, make_tag):
    article = make_article("Grain sales", body=WHEAT)
    assert analyse(article) is True
    article.tags.add(make_tag("Markets"))
    article.byline_text = "A new byline"
    article.save()
    assert analyse(article) is False
    assert analyse(article, force=True) is True
    article.headline = "Grain sales rise"
    article.save()
    assert analyse(article) is True


def test_a_part_that_raises_is_logged_and_the_others_still_run(make_article, settings, caplog):
    article = make_article("Grain sales", body=WHEAT)
    analyse(article)
    settings.DATELINE_INTELLIGENCE_USE = {**settings.DATELINE_INTELLIGENCE_USE,
                                          "tagger": "test-broken"}
    article.body = WHEAT + "<p>More wheat news.</p>"
    article.save()
    with caplog.at_level(logging.ERROR, logger="dateline.intelligence.pipeline"):
        assert analyse(article) is True
    assert "the tagger 'test-broken' failed" in caplog.text
    # The tagger's earlier suggestions are kept; the summariser's new brief is written.
    assert set(suggestions(article)) == {"Sofia", "Borisov", "Acme", "Grain"}
    assert Brief.objects.get(article=article).text.endswith("Borisov. Wheat")
    assert "test-broken" not in Analysis.objects.get(article=article).version
    assert analyse(article) is True  # a failed part is tried again next time


def test_a_story_very_like_a_published_one_is_flagged(make_article):
    original = make_article("Grain sales soar", body=WHEAT)
    copy = make_article("Grain sales soar again", body=WHEAT, status=Article.Status.DRAFT)
    other = make_article("Chess", body="<p>A quiet draw in the chess final at Sofia.</p>")
    analyse(copy)
    flagged = Analysis.objects.get(article=copy).near_duplicates
    assert [d["id"] for d in flagged] == [original.pk] and flagged[0]["similarity"] > 0.6
    analyse(other)
    assert Analysis.objects.get(article=other).near_duplicates == []


@pytest.mark.django_db(transaction=True)
def test_publishing_analyses_the_story_and_refreshes_its_neighbours(make_article, make_user):
    from dateline.newsroom.actions import TRANSITIONS

    older = make_article("Wheat harvest", body="<p>Wheat harvest near Sofia.</p>")
    analyse(older)
    assert not RelatedStory.objects.filter(article=older).exists()
    article = make_article("Grain sales", body=WHEAT, status=Article.Status.DRAFT)
    TRANSITIONS["publish"].execute(make_user("Editor"), article)
    assert [args for args in queued(analyse_story)] == [[article.pk]]
    run_worker()
    assert list(RelatedStory.objects.filter(article=article).values_list("related", flat=True)
                ) == [older.pk]
    assert list(RelatedStory.objects.filter(article=older).values_list("related", flat=True)
                ) == [article.pk]


@pytest.mark.django_db(transaction=True)
def test_an_import_queues_its_stories_in_batches_behind_other_work(make_article):
    from django.db import transaction

    stories = [make_article(f"Wheat story {n}", body=WHEAT) for n in range(3)]
    with transaction.atomic():
        articles_bulk_changed.send(sender=Article, count=3, pks=[a.pk for a in stories])
    assert queued(analyse_stories) == [[[a.pk for a in stories]]]
    assert DBTaskResult.objects.get(task_path=analyse_stories.module_path).priority < 0
    run_worker()
    assert Analysis.objects.filter(article__in=stories).count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_imports_batch_yields_the_cpu_to_readers_and_reports_its_failure(make_article,
                                                                            monkeypatch):
    import os
    import threading

    from dateline.intelligence import pipeline, tasks

    stories = [make_article(f"Wheat story {n}", body=WHEAT) for n in range(2)]
    seen = []
    real = pipeline.analyse

    def watched(pk, **options):
        seen.append((os.getpriority(os.PRIO_PROCESS, threading.get_native_id()),
                     threading.current_thread() is threading.main_thread()))
        return real(pk, **options)

    monkeypatch.setattr(pipeline, "analyse", watched)
    worker_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert analyse_stories.call([a.pk for a in stories]) == 2
    assert Analysis.objects.filter(article__in=stories).count() == 2
    # Each story analysed in a thread of its own, at a lower priority than the worker's.
    assert seen == [(min(worker_nice + tasks.BULK_NICENESS, 19), False)] * 2
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == worker_nice

    def broken(pk, **options):
        raise ValueError("a part failed")

    monkeypatch.setattr(pipeline, "analyse", broken)
    with pytest.raises(ValueError, match="a part failed"):
        analyse_stories.call([stories[0].pk])


@pytest.mark.django_db(transaction=True)
def test_an_analysis_the_database_could_not_answer_is_booked_again(
        make_article, monkeypatch, caplog):
    """A write lock held past the busy timeout failed the analysis for good ("database is
    locked"): the story kept no tags, topics, related list or brief until it was saved again."""
    import sqlite3

    from django.db import OperationalError

    from dateline.intelligence import pipeline

    article = make_article("Grain sales", body=WHEAT)
    real, calls = pipeline.analyse, []

    def locked_twice(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            cause = sqlite3.OperationalError("database is locked")
            cause.sqlite_errorname = "SQLITE_BUSY"
            raise OperationalError("database is locked") from cause
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", locked_twice)
    monkeypatch.setattr("dateline.intelligence.tasks.RETRY_SECONDS", 0)
    analyse_story.enqueue(article.pk)
    for _ in range(3):
        run_worker()
    assert len(calls) == 3 and Analysis.objects.filter(article=article).exists()
    assert "analysing it again in 0 s (try 2 of 4)" in caplog.text
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()

    # A statement that is wrong is no database away: it fails, and is not booked again.
    def wrong(*args, **kwargs):
        raise OperationalError("no such table: intelligence_nothing")

    monkeypatch.setattr(pipeline, "analyse", wrong)
    analyse_story.enqueue(article.pk, force=True)
    run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 1
    assert queued(analyse_story) == []


@pytest.mark.django_db(transaction=True)
def test_an_imports_batch_the_database_could_not_answer_is_booked_again(
        make_article, monkeypatch):
    import sqlite3

    from django.db import OperationalError

    from dateline.intelligence import pipeline

    stories = [make_article(f"Grain sales {n}", body=WHEAT) for n in range(2)]
    real, calls = pipeline.analyse, []

    def locked_once(pk, **kwargs):
        calls.append(pk)
        if len(calls) == 2:  # the first story analysed, then the lock
            cause = sqlite3.OperationalError("database is locked")
            cause.sqlite_errorname = "SQLITE_BUSY"
            raise OperationalError("database is locked") from cause
        return real(pk, **kwargs)

    monkeypatch.setattr(pipeline, "analyse", locked_once)
    monkeypatch.setattr("dateline.intelligence.tasks.RETRY_SECONDS", 0)
    analyse_stories.enqueue([s.pk for s in stories])
    run_worker()
    run_worker()
    assert Analysis.objects.filter(article__in=stories).count() == 2
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).exists()


@pytest.mark.django_db(transaction=True)
def test_an_imports_batch_renews_its_pages_together_not_story_by_story(make_article,
                                                                        monkeypatch):
    """Each story analysed moved the page cache's generation: a page rendered across one is
    not stored, and a costly one was rendered for every reader for as long as an archive's
    analysis ran."""
    from dateline.pagecache import keys, store

    stories = [make_article(f"Wheat story {n}", body=WHEAT) for n in range(3)]
    made = []
    monkeypatch.setattr(store, "invalidate", lambda found: made.append(set(found)))
    assert analyse_stories.call([a.pk for a in stories]) == 3
    assert len(made) == 1 and {keys.article(a.pk) for a in stories} <= made[0]


@pytest.mark.django_db(transaction=True)
def test_a_batchs_thread_closes_its_database_connection_however_long_they_are_kept(
        make_article, monkeypatch):
    """Production keeps connections for a minute (CONN_MAX_AGE), and "close the old ones"
    closed nothing in the batch's thread: each batch left a connection to the garbage
    collector, open on the server meanwhile."""
    from django.db import connections

    from dateline.intelligence import pipeline

    stories = [make_article(f"Wheat story {n}", body=WHEAT) for n in range(2)]
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    used = []
    real = pipeline.analyse

    def watched(pk, **options):
        found = real(pk, **options)
        used.append(connections["default"])
        return found

    monkeypatch.setattr(pipeline, "analyse", watched)
    assert analyse_stories.call([a.pk for a in stories]) == 2
    [wrapper] = {id(w): w for w in used}.values()
    assert wrapper is not connections["default"]  # the batch's own thread, its own connection
    assert wrapper.settings_dict["CONN_MAX_AGE"] == 60
    assert wrapper.connection is None
