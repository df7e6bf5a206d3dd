import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.search.backends import (
    InvalidSearchBackendError,
    SearchQuery,
    get_backend,
)

pytestmark = pytest.mark.django_db


def test_words_prefixes_phrases_or_and_exclusion_find_the_right_stories(make_article, search):
    rates = make_article("Central bank raises rates", body="<p>Inflation is high.</p>")
    football = make_article("Cup final tonight", body="<p>Inflation of ticket prices.</p>")
    assert set(search("inflation")) == {rates.pk, football.pk}
    assert search("infla* -tickets") == [rates.pk]
    assert search('"central bank"') == [rates.pk]
    assert search('"bank central"') == []
    assert set(search("cup OR rates")) == {rates.pk, football.pk}
    assert search("raised") == [rates.pk]  # stemmed: raises, raised


def test_a_possessive_finds_the_name_and_a_phrase_keeps_it(make_article, search):
    """"Kennedy's" found the 4 stories with the possessive, not the 61 naming Kennedy."""
    named = make_article("Kennedy visits Berlin", body="<p>The senator arrived.</p>")
    owned = make_article("Kennedy\u2019s plan", body="<p>Kennedy's visit was short.</p>")
    assert set(search("Kennedy's")) == set(search("Kennedy\u2019s")) == {named.pk, owned.pk}
    assert search('"Kennedy\'s visit"') == [owned.pk]


def test_the_headline_outweighs_the_body(make_article, search):
    in_body = make_article("Weather report", body="<p>Storm over the harbour.</p>")
    in_headline = make_article("Storm hits coast", body="<p>Winds over the harbour.</p>")
    assert search("storm") == [in_headline.pk, in_body.pk]


def test_the_index_follows_saves_and_deletions_in_the_same_transaction(make_article, search):
    article = make_article("Harvest begins", body="<p>Wheat fields.</p>")
    assert search("wheat") == [article.pk]
    article.body = "<p>Barley fields.</p>"
    article.save()
    assert search("wheat") == [] and search("barley") == [article.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        article.headline = "Oats everywhere"
        article.save()
        assert search("oats") == [article.pk]  # visible at once inside the transaction
        raise RuntimeError
    assert search("oats") == []
    article.delete()
    assert search("barley") == []


def test_readers_never_find_what_they_may_not_see(make_article, search):
    now = timezone.now()
    live = make_article("Election live", body="<p>Votes.</p>")
    make_article("Election draft", status=Article.Status.DRAFT, published_at=None)
    make_article("Election later", published_at=now + timedelta(hours=1))
    make_article("Election embargoed", embargo_until=now + timedelta(hours=1))
    killed = make_article("Election killed")
    killed.status = Article.Status.UNPUBLISHED
    killed.save()
    assert search("election") == [live.pk]
    everything = get_backend().search(SearchQuery("election", live_only=False))
    assert everything.total == 5
    assert get_backend().matching_ids("election draft") != []


def test_filters_section_with_subsections_tag_author_and_dates(
    make_article, make_section, make_tag, make_author, search
):
    world = make_section("World")
    europe = make_section("Europe", parent=world)
    sport = make_section("Sport")
    tag, author = make_tag("Energy"), make_author("Ann Writer")
    in_sub = make_article("Gas prices", section=europe, tags=[tag], age=timedelta(days=10))
    in_root = make_article("Gas pipeline", section=world, authors=[author])
    make_article("Gas-powered cars", section=sport)
    assert set(search("gas", section_id=world.pk)) == {in_sub.pk, in_root.pk}
    assert search("gas", section_id=europe.pk) == [in_sub.pk]
    assert search("gas", tag_id=tag.pk) == [in_sub.pk]
    assert search("gas", author_id=author.pk) == [in_root.pk]
    since = (timezone.now() - timedelta(days=2)).date()
    assert in_sub.pk not in search("gas", date_from=since)
    assert search("gas", date_to=since) == [in_sub.pk]
    assert search("gas", section_id=999_999) == []


def test_facets_count_the_whole_result_set_not_the_page(make_article, make_tag, make_section):
    tag = make_tag("Markets")
    section = make_section("Business")
    for _ in range(5):
        make_article("Shares fall", tags=[tag], section=section)
    results = get_backend().search(SearchQuery("shares", per_page=2, facets=True))
    assert results.total == 5 and len(results.hits) == 2
    assert results.facets["tag"] == [(tag.pk, 5)]
    assert results.facets["section"] == [(section.pk, 5)]


def test_pages_do_not_overlap_and_newest_first_is_by_date(make_article):
    made = [make_article(f"Flood update {i}", age=timedelta(hours=i)) for i in range(5)]
    backend = get_backend()
    pages = [backend.search(SearchQuery("flood", per_page=2, page=n, newest_first=True))
             for n in (1, 2, 3)]
    ids = [hit.article_id for page in pages for hit in page.hits]
    assert ids == [a.pk for a in made]


def test_relevance_fades_with_age(make_article, search):
    old = make_article("Drought", age=timedelta(days=365))
    new = make_article("Drought", age=timedelta(hours=1))
    assert search("drought") == [new.pk, old.pk]


def test_snippets_mark_the_words_and_escape_everything_else(make_article):
    make_article("Notes", body="<p>The &lt;script&gt; tag &amp; the volcano erupted.</p>")
    [hit] = get_backend().search(SearchQuery("volcano")).hits
    assert "<mark>volcano</mark>" in hit.snippet
    unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "script&gt;" in unmarked and "<" not in unmarked and "&amp;" in unmarked


def test_a_word_of_thousands_of_letters_shows_its_start_and_end_in_the_snippet(
        make_article):
    """Snippets are cut in words: one word of 10,000 letters made an 11,000-character one."""
    word = "Supercali" + "x" * 10_000 + "docious"
    make_article("Notes", body=f"<p>The volcano said {word} twice.</p>")
    [hit] = get_backend().search(SearchQuery("volcano")).hits
    assert len(hit.snippet) < 500 and "<mark>volcano</mark>" in hit.snippet
    assert "Supercalixxx" in hit.snippet  # its end too where the backend's window holds it
    # The long word marked itself: its mark is closed (PostgreSQL indexes no word over 2,047
    # characters, so finds nothing there; SQLite does).
    for hit in get_backend().search(SearchQuery("Supercali*")).hits:
        assert len(hit.snippet) < 500
        assert hit.snippet.count("<mark>") == hit.snippet.count("</mark>") >= 1


def test_words_in_blocks_side_by_side_stay_apart(make_article, search):
    """"<li>First</li><li>Second</li>" was one word in the index and in the snippet."""
    story = make_article("Lists", body="<p>The volcano erupted.</p><ul><li>Ashfall</li>"
                         "<li>Evacuation</li></ul><h2>Aftermath</h2><p>Roads <b>re</b>open.</p>")
    assert search("evacuation") == [story.pk] and search("aftermath") == [story.pk]
    [hit] = get_backend().search(SearchQuery("ashfall")).hits
    unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "erupted. Ashfall Evacuation Aftermath Roads reopen" in " ".join(unmarked.split())


def test_imports_are_indexed_in_their_transaction(tmp_path, search):
    from dateline.newsroom.importer import import_file

    path = tmp_path / "a.jsonl"
    record = {"id": "r-1", "title": "COCOA REVIEW", "body": "Showers in Bahia.",
              "published": "2020-02-26T15:01:01"}
    path.write_text(json.dumps(record) + "\n")
    import_file(path)
    assert len(search("bahia")) == 1
    record["body"] = "Sunshine in Ilheus."
    path.write_text(json.dumps(record) + "\n")
    import_file(path)
    assert search("bahia") == [] and len(search("ilheus")) == 1


def test_reindex_rebuilds_and_drops_stale_entries(make_article, search):
    article = make_article("Glacier melts")
    backend = get_backend()
    backend.reset_index()
    assert search("glacier") == []
    backend.add_bulk([Article(pk=article.pk + 1000, headline="Ghost glacier", teaser="", body="")])
    call_command("search", "reindex", "--progress", "never", stdout=io.StringIO())
    assert search("glacier") == [article.pk]
    assert backend.matching_ids("ghost") == []


def test_a_wrong_backend_setting_says_how_to_fix_it():
    for path, message in (("no.such.Thing", "cannot import"),
                          ("datetime.date", "not a BaseSearchBackend")):
        configured = {"default": {"BACKEND": path}}
        with override_settings(DATELINE_SEARCH_BACKENDS=configured), pytest.raises(
            InvalidSearchBackendError, match=message
        ):
            get_backend()
    with pytest.raises(InvalidSearchBackendError, match="no backend 'other'"):
        get_backend("other")
    assert get_backend().vendor in ("sqlite", "postgresql")


def test_date_filters_are_the_site_s_days_and_the_calendar_s_ends_are_safe(make_article, search):
    from datetime import date, datetime

    late = make_article("Late vote count",
                        published_at=datetime(2026, 3, 10, 23, 30,
                                              tzinfo=timezone.get_current_timezone()))
    assert search("vote", date_to=date(2026, 3, 10)) == [late.pk]
    assert search("vote", date_from=date(2026, 3, 11)) == []
    assert search("vote", date_from=date(1, 1, 1), date_to=date.max) == [late.pk]


def test_a_phrase_is_found_among_newer_stories_with_its_words_apart(make_article, monkeypatch):
    """Only the newest candidates are ranked: they must be phrase matches, not stories that
    merely have both words (PostgreSQL's index finds those; the phrase is checked after)."""
    phrases = [make_article("Central bank holds", body="<p>Rates stay.</p>") for _ in range(3)]
    for _ in range(4):
        make_article("Bank news", body="<p>The central square was quiet.</p>")
    backend = get_backend()
    monkeypatch.setattr(backend, "candidates", 2)
    for newest in (False, True):
        results = backend.search(SearchQuery('"central bank"', newest_first=newest))
        assert results.total == 3
        assert {hit.article_id for hit in results.hits} == {phrases[2].pk, phrases[1].pk}
    excluded = backend.search(SearchQuery("bank -central-bank"))  # a phrase, left out
    assert excluded.total == 4 and phrases[0].pk not in [h.article_id for h in excluded.hits]


def test_past_the_cap_the_total_is_a_lower_bound_and_facets_count_the_newest(
    make_article, make_tag, monkeypatch
):
    tag = make_tag("Weather")
    made = [make_article("Heatwave warning", tags=[tag] if i >= 2 else []) for i in range(6)]
    backend = get_backend()
    monkeypatch.setattr(backend, "max_count", 3)
    results = backend.search(SearchQuery("heatwave", facets=True, per_page=10))
    assert (results.total, results.more) == (3, True)
    # The newest max_count + 1 matches by id are counted: the four tagged ones.
    assert results.facets["tag"] == [(tag.pk, 4)]
    assert [hit.article_id for hit in results.hits] == [a.pk for a in reversed(made)]
    few = backend.search(SearchQuery("heatwave", facets=True, tag_id=tag.pk))
    assert (few.total, few.more) == (3, True) and few.facets["tag"] == [(tag.pk, 4)]


def test_the_newest_matches_are_found_across_far_apart_ids(make_article, monkeypatch):
    """PostgreSQL searches the newest slice of ids (65,536 a slice) first and widens."""
    old = [make_article("Glacier retreat", pk=pk) for pk in (41, 42, 70_000)]
    new = make_article("Glacier retreat", pk=300_000)
    backend = get_backend()
    monkeypatch.setattr(backend, "candidates", 2)
    results = backend.search(SearchQuery("glacier", newest_first=True, facets=True))
    assert [hit.article_id for hit in results.hits] == [new.pk, old[2].pk]
    assert results.total == 4 and results.facets["section"][0][1] == 4


def test_optimize_merges_the_index_into_one_segment_and_finds_the_same(make_article):
    """`dateline search optimize` (and the end of a reindex): on SQLite the FTS5 segments each
    batch of writes leaves are merged, step by step, into one; elsewhere nothing to do."""
    stories = [make_article(f"Harvest report {n}", body=f"<p>Wheat crop {n} grew.</p>")
               for n in range(40)]
    before = sorted(hit.article_id for hit in get_backend().search(
        SearchQuery("wheat", per_page=100)).hits)
    def segments() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(DISTINCT segid) FROM search_article_fts_idx")
            return cursor.fetchone()[0]

    if connection.vendor == "sqlite":
        assert segments() > 1  # one write a story, some merged as FTS5 goes
    out = io.StringIO()
    call_command("search", "optimize", stdout=out)
    if connection.vendor == "sqlite":
        assert segments() == 1
        assert "Compacted the sqlite index in" in out.getvalue()
        assert get_backend().optimize() == 0  # one segment: nothing written again
    else:
        assert out.getvalue() == ""
    after = sorted(hit.article_id for hit in get_backend().search(
        SearchQuery("wheat", per_page=100)).hits)
    assert after == before == sorted(s.pk for s in stories)


def test_an_import_queues_one_compaction_for_the_worker(make_article,
                                                        django_capture_on_commit_callbacks):
    """Each batch an import writes sends articles_bulk_changed; the worker is asked once to
    compact the index, a minute later, and the task does what `dateline search optimize`
    does."""
    from django_tasks_db.models import DBTaskResult

    from dateline.newsroom.signals import articles_bulk_changed
    from dateline.search.tasks import optimize_search_index

    stories = [make_article(f"Grain report {n}", body="<p>Wheat.</p>") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for story in stories:  # three batches
            articles_bulk_changed.send(sender=Article, count=1, pks=[story.pk])
    queued = DBTaskResult.objects.filter(task_path=optimize_search_index.module_path)
    assert queued.count() == 1
    assert queued.get().run_after > timezone.now()
    assert set(optimize_search_index.call()) == {connection.vendor}
    with django_capture_on_commit_callbacks(execute=True):
        articles_bulk_changed.send(sender=Article, count=1, pks=[stories[0].pk])
    assert queued.count() == 2  # asked again once the compaction ran
