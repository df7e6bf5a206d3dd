import time
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"unbalanced', 'two "quotes" and "one', "OR", "AND", "NOT", "-", "*", "-*", "OR OR -",
    "NEAR(", "NEAR(a b, 2)", "headline:foo", "{headline body}:x", "^start", "a AND (b",
    "'; DROP TABLE newsroom_article; --", "\\", "%", "_", "&|!<->:*", "x" * 10_000,
    "word " * 2_000, "nul\x00byte", "\x01\x02\x1f control", "Инфляция в России",
    "通货膨胀", "التضخم", "🙂🔥 emoji", "e\u0301te\u0301", "\ue000mark\ue001", "<mark>x</mark>",
]


@pytest.fixture
def stories(make_article, make_tag, make_author, make_section):
    europe = make_section("Europe", parent=make_section("Abroad"))
    tag, author = make_tag("Prices"), make_author("Ann Writer")
    found = [make_article(f"Inflation story {i}", section=europe, tags=[tag], authors=[author])
             for i in range(25)]
    make_article("Инфляция в России", body="<p>Цены растут.</p>")
    make_article("Inflation draft", status=Article.Status.DRAFT, published_at=None)
    return found


def test_hostile_queries_get_a_normal_page(client, stories, subtests):
    # Each query a subtest of its own, all over one archive: 27 stories saved per query were
    # most of this module's time (1.1 s a query on PostgreSQL).
    for text in HOSTILE:
        with subtests.test(query=text):
            params = {"q": text, "section": "x", "from": "nonsense", "page": "-1"}
            assert client.get("/search/", params).status_code == 200, text
            # The API refuses malformed values and what goes past the search's limits, with a
            # reason.
            response = client.get("/api/search", params)
            assert response.status_code in (200, 400), text
            if response.status_code == 400:
                assert response.json()["error"]


def test_the_page_shows_results_facets_and_paging(client, stories):
    response = client.get("/search/", {"q": "inflation"})
    html = response.content.decode()
    assert response.status_code == 200
    # Never stored (a query other than page=), but named like every page for the CDN.
    named = set(response["Surrogate-Key"].split())
    assert "home" in named and len(named & {f"a{a.pk}" for a in stories}) == 20
    assert '<label for="search-q">' in html
    assert "25 results" in html and "Inflation draft" not in html
    assert html.count('class="teaser"') == 20
    assert "Abroad » Europe" in html
    assert "Prices</a> <span class=\"count\">(25)</span>" in html
    assert "Ann Writer</a> <span class=\"count\">(25)</span>" in html
    assert 'rel="next"' in html and "sort=newest" in html
    second = client.get("/search/", {"q": "inflation", "page": 2}).content.decode()
    assert second.count('class="teaser"') == 5 and 'rel="prev"' in second


def test_a_filter_narrows_and_can_be_removed(client, stories, make_tag):
    other = make_tag("Other")
    stories[0].tags.add(other)
    html = client.get("/search/", {"q": "inflation", "tag": other.pk}).content.decode()
    assert "1 result," in html
    assert 'aria-label="Remove filter tag: Other"' in html
    assert 'href="?q=inflation"' in html


def test_a_filter_that_means_nothing_is_said_to_be_left_out_not_shown_as_applied(
        client, stories):
    """section=abc and from=notadate were listed as removable filters, the results unfiltered."""
    html = client.get("/search/", {"q": "inflation", "section": "abc", "from": "notadate",
                                   "to": "2026-13-40"}).content.decode()
    assert "25 results" in html  # every match: nothing was filtered
    assert "Remove filter" not in html and "filtered" not in html
    assert "The filter section=abc was left out: a section is chosen by its number" in html
    assert "The filter from=notadate was left out: dates are written YYYY-MM-DD." in html
    assert "The filter to=2026-13-40 was left out" in html
    assert 'value="abc"' not in html and 'value="notadate"' not in html  # nor does the form
    assert 'href="?q=inflation&amp;sort=newest"' in html  # links carry no such filter


def test_other_scripts_are_found(client, stories):
    html = client.get("/search/", {"q": "Инфляция"}).content.decode()
    assert "1 result" in html


def test_a_word_holding_an_invisible_character_is_found_as_it_reads(client, make_article):
    """A soft hyphen (pasted from Word, wire copy's hyphenation), a zero-width space or a word
    joiner inside a word parted it in the index: "Zyxquorp" found nothing, "Zyx" the story."""
    make_article("Zyx\u00adquorp talks", standfirst="Vrenda\ufeffl agrees.",
                 body="<p>Plorb\u200bnik and Qwimble\u2060tz.</p>")
    for query in ("Zyxquorp", "Vrendal", "Plorbnik", "Qwimbletz", "Zyx\u00adquorp"):
        assert client.get("/api/search", {"q": query}).json()["total"] == 1, query
    assert client.get("/api/search", {"q": "Zyx"}).json()["total"] == 0


def test_a_query_s_direction_marks_stay_inside_it_in_the_page_title(client, stories):
    """A link with an open right-to-left override in its query turned "search | Dateline"
    around in the browser's tab, history and bookmarks."""
    html = client.get("/search/", {"q": "prices \u202eDrop"}).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "&#x2068;prices \u202eDrop&#x2069; \u2013 search | Dateline"


def test_the_masthead_has_a_search_box(client, stories):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'for="masthead-q"' in html


def test_the_api_answers_the_same_parameters_as_json(client, stories):
    body = client.get("/api/search", {"q": "inflation", "sort": "newest", "page": 2}).json()
    assert body["total"] == 25 and body["pages"] == 2 and len(body["results"]) == 5
    assert body["results"][0]["url"].startswith("http://testserver/articles/")
    assert body["facets"]["tag"][0] == {"id": stories[0].tags.get().pk, "name": "Prices",
                                        "count": 25}
    assert client.get("/api/search").status_code == 400
    assert {r["undated"] for r in body["results"]} == {False}


def test_the_api_says_which_stories_the_source_gave_no_date(client, make_article):
    """An undated archive story's import time came as its published_at, unsaid: a partner
    read 2004's stories as today's news."""
    make_article("Harvest report", body="<p>Wheat.</p>", published_at_is_import_time=True)
    (found,) = client.get("/api/search", {"q": "harvest"}).json()["results"]
    assert found["undated"] is True


def _walk(client, first: dict, publish) -> list[int]:
    """Every result id of a search, page by page through its `next` links, calling
    `publish` after the first page."""
    body = client.get("/api/search", first).json()
    seen = [result["id"] for result in body["results"]]
    publish()
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [result["id"] for result in body["results"]]
    return seen


@pytest.mark.parametrize("sort", ["newest", "relevance"])
def test_a_walk_through_the_pages_neither_repeats_nor_skips_a_story_published_during_it(
        client, stories, make_article, sort, django_capture_on_commit_callbacks):
    """A partner's walk: a matching story published after page 1 pushed page 1's last result
    onto page 2, read twice (found by a partner's client on /api/search?sort=newest)."""
    def publish():
        with django_capture_on_commit_callbacks(execute=True):  # the search cache renewed
            make_article("Inflation story published mid-walk", age=timedelta(0))

    seen = _walk(client, {"q": "inflation", "sort": sort}, publish)
    assert len(seen) == len(set(seen)) == 25
    assert set(seen) == {story.pk for story in stories}
    # The next walk starts at a later moment, and finds it.
    again = client.get("/api/search", {"q": "inflation", "sort": sort}).json()
    assert again["total"] == 26


def test_the_walks_moment_is_given_checked_and_leaves_the_etag_alone(client, stories):
    first = client.get("/api/search", {"q": "inflation"})
    body = first.json()
    assert body["until"].endswith("Z") and body["previous"] is None
    assert "until=" in body["next"] and "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert second["previous"].startswith("http://testserver/api/search?")
    assert "page=" not in second["previous"] and second["next"] is None
    # Asked again later, the same results: the copy held is still good (304), though the
    # moment a new walk would stand at has moved.
    assert client.get("/api/search", {"q": "inflation"},
                      headers={"if-none-match": first["ETag"]}).status_code == 304
    # A moment before every story: nothing had been published then.
    early = client.get("/api/search", {"q": "inflation", "until": "2000-01-01T00:00:00Z"})
    assert early.json()["total"] == 0 and early.json()["until"] == "2000-01-01T00:00:00.000Z"
    # A moment to the microsecond is given back as sent, in the body as in the links.
    exact = client.get("/api/search", {"q": "inflation", "until": "2030-01-01T00:00:00.123456Z",
                                       "page": 1}).json()
    assert exact["until"] == "2030-01-01T00:00:00.123456Z"
    assert "until=2030-01-01T00%3A00%3A00.123456Z" in exact["next"]
    refused = client.get("/api/search", {"q": "inflation", "until": "yesterday"})
    assert refused.status_code == 400 and "'until'" in refused.json()["error"]


def test_editors_find_drafts_in_the_desk(desk_client, make_user, stories):
    client = desk_client(make_user("Editor"))
    html = client.get("/desk/newsroom/article/", {"q": "draft inflation"}).content.decode()
    assert "Inflation draft" in html and "Inflation story 1<" not in html


def test_a_page_past_the_last_says_where_the_results_end(client, stories):
    """It said "0 results ... Page 3 of 2" with a link to page 2 as "Previous"."""
    html = client.get("/search/", {"q": "inflation", "page": 9}).content.decode()
    assert "These results end on page 2" in html and "Page 9 of 2" not in html
    assert 'rel="prev" href="?q=inflation&amp;page=2"' in html and 'rel="next"' not in html


def test_filters_over_a_capped_search_say_what_they_were_applied_to(client, stories,
                                                                    monkeypatch):
    """A common word's older stories are not among the newest matches the filters see: the
    page said "More than 0 results, filtered" and "No stories match", with no why."""
    from dateline.search.backends import get_backend

    monkeypatch.setattr(get_backend(), "max_count", 10)
    monkeypatch.setattr("dateline.search.params.COUNTED", 10)
    section = stories[0].section
    filtered = client.get("/search/", {"q": "inflation", "section": section.pk}).content.decode()
    assert "The filters were applied to the newest 10 stories that match these words" in filtered
    plain = client.get("/search/", {"q": "inflation"}).content.decode()
    assert "The filters were applied" not in plain  # no filter, nothing to say
    # A program is told too: it had `total` 0 and `more` true, and no word why.
    api = client.get("/api/search", {"q": "inflation", "section": section.pk}).json()
    assert api["note"].startswith("The filters were applied to the newest 10 stories")
    assert "note" not in client.get("/api/search", {"q": "inflation"}).json()


def test_past_the_count_s_cap_the_pages_go_on_while_they_are_full(client, stories,
                                                                  monkeypatch):
    """With the count capped, `pages` and `next` stopped where the count did: a partner
    following `next` got 440 of 971 results, and the page said "Page 23 of 22"."""
    from dateline.search.backends import get_backend

    monkeypatch.setattr(get_backend(), "max_count", 10)  # half a page counted, of 25 matches
    first = client.get("/api/search", {"q": "inflation"}).json()
    assert first["more"] and first["total"] == 10 and len(first["results"]) == 20
    assert first["next"] and "page=2" in first["next"] and first["pages"] == 2
    second = client.get("/api/search", {"q": "inflation", "page": 2}).json()
    assert len(second["results"]) == 5 and second["next"] is None  # not full: the end
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    html = client.get("/search/", {"q": "inflation", "page": 2}).content.decode()
    assert "Page 2</span>" in html and "Page 2 of" not in html and 'rel="next"' not in html
    assert 'rel="next" href="?q=inflation&amp;page=2"' in client.get(
        "/search/", {"q": "inflation"}).content.decode()
    # Past the end of a count that stopped short, no end is made up from it.
    beyond = client.get("/search/", {"q": "inflation", "page": 5}).content.decode()
    assert "No results this far back." in beyond and "end on page" not in beyond
    assert "These results end before page 5" in beyond


def test_a_sections_count_is_what_its_link_finds_its_subsections_included(client, stories):
    """The count was of stories filed in the section itself: "Abroad (0)" was not even listed,
    while its link, which takes in Europe below it, found 25."""
    html = client.get("/search/", {"q": "inflation"}).content.decode()
    abroad = stories[0].section.parent
    assert "Abroad</a> <span class=\"count\">(25)</span>" in html
    assert "Abroad » Europe</a> <span class=\"count\">(25)</span>" in html
    assert html.index(">Abroad</a>") < html.index(">Abroad » Europe</a>")  # ties: by path
    narrowed = client.get("/search/", {"q": "inflation", "section": abroad.pk}).content.decode()
    assert "25 results, filtered" in narrowed
    api = client.get("/api/search", {"q": "inflation"}).json()
    assert {"id": abroad.pk, "name": "Abroad", "count": 25} in api["facets"]["section"]


def test_a_search_that_finds_nothing_offers_no_sorting_and_only_advice_that_applies(
        client, stories, make_tag):
    """"0 results … By relevance; show newest first … Try fewer words, or remove a filter",
    for a search with no filter and nothing to sort."""
    page = client.get("/search/", {"q": "econmy"}).text
    assert "0 results." in page and "show newest first" not in page
    assert "remove a filter" not in page and "other spellings" in page
    tag = make_tag("Nowhere")
    filtered = client.get("/search/", {"q": "econmy", "tag": tag.pk}).text
    assert "remove a filter" in filtered


def test_a_page_past_the_last_does_not_say_nothing_matches(client, stories):
    """"299 results." then "No stories match. Try fewer words" on ?page=999."""
    html = client.get("/search/", {"q": "inflation", "page": 9}).content.decode()
    assert "25 results" in html and "No stories match" not in html
    assert "No results this far back: they end on page 2." in html


@pytest.mark.parametrize("params", [{"q": "   "}, {"section": "1"},
                                    {"from": "1987-04-01", "to": "1987-04-07"}])
def test_a_search_without_words_says_what_it_needs(client, stories, params):
    """Blank words or filters alone gave a page with no message at all, and blank words a
    title of "- search" (an en dash)."""
    html = client.get("/search/", params).content.decode()
    assert "Type the words to look for: a search needs at least one." in html
    assert "<title>Search |" in html
    assert "Type the words" not in client.get("/search/").content.decode()


def test_a_story_whose_embargo_ends_during_a_walk_is_left_to_the_next(
        client, stories, make_article, django_capture_on_commit_callbacks):
    """A story out before, put under embargo, comes back at its end with its first time: it
    showed on a later page, pushing a result there twice."""
    held = make_article("Inflation story held back", age=timedelta(minutes=30),
                        embargo_until=timezone.now() + timedelta(hours=1))
    body = client.get("/api/search", {"q": "inflation", "sort": "newest"}).json()
    seen = [result["id"] for result in body["results"]]
    time.sleep(0.02)
    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.filter(pk=held.pk).update(embargo_until=timezone.now())
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [result["id"] for result in body["results"]]
    assert len(seen) == len(set(seen)) == 25 and held.pk not in seen


def test_a_304_on_a_first_page_means_no_story_changed_since(
        client, stories, make_article, django_capture_on_commit_callbacks):
    """Its results alone made the ETag: past the count's cap a newcomer ranked on a later page
    left the first unchanged, and a client answered 304 walked on at its old moment."""
    first = client.get("/api/search", {"q": "inflation"})
    with django_capture_on_commit_callbacks(execute=True):
        make_article("Weather report")  # matches nothing, changes the archive
    again = client.get("/api/search", {"q": "inflation"}, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again.json()["until"] > first.json()["until"]


def test_dates_the_wrong_way_round_are_said_to_be(client, stories):
    """"0 results, filtered … remove a filter" did not say why nothing could match."""
    page = client.get("/search/", {"q": "inflation", "from": "1987-04-05",
                                   "to": "1987-04-01"}).content.decode()
    assert "The dates are the wrong way round: from 1987-04-05 is after to 1987-04-01" in page
    right = client.get("/search/", {"q": "inflation", "from": "1987-04-01",
                                    "to": "1987-04-05"}).content.decode()
    assert "wrong way round" not in right


def test_a_search_that_only_leaves_words_out_says_it_needs_one_to_look_for(client, stories):
    """"-japan" answered "No stories match. Try fewer words, or other spellings."""
    html = client.get("/search/", {"q": "-russia"}).content.decode()
    assert "Words with a minus only leave stories out: add a word to look for, as in " \
           "“trade -russia”." in html


def test_the_page_offers_to_narrow_by_the_filters_it_has(client, stories, make_article):
    html = client.get("/search/", {"q": "inflation"}).content.decode()
    assert "Narrow the results</a> by section, tag or author</p>" in html
    make_article("Harvest report", body="<p>Wheat and barley.</p>")  # no tag, no author
    html = client.get("/search/", {"q": "harvest"}).content.decode()
    assert "Narrow the results</a> by section</p>" in html
