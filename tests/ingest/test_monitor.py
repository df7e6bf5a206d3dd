"""The foreign-media monitor: watched terms matched as whole words in any case, today's
clusters ranked by outlets then recency, its JSON, bounded queries; and drafts made from an
item or a whole cluster."""

from datetime import timedelta

import pytest
from django.conf import settings

from dateline.ingest import monitor
from dateline.ingest.models import Item, WatchedTerm
from dateline.newsroom.models import Article, AuditEntry

from . import desk_rows

MONITOR = "/desk/ingest/monitor/"


@pytest.fixture
def outlets(db):
    return {name: desk_rows.feed(name) for name in ("Le Monde", "Die Zeit", "El País", "NHK")}


def test_the_default_terms_are_seeded_from_the_setting(db):
    assert set(WatchedTerm.objects.values_list("term", flat=True)) == \
        set(settings.DATELINE_WATCHED_TERMS)


@pytest.mark.parametrize("text, found", [
    ("Bulgarian farmers protest", True), ("BULGARIA votes again", True),
    ("Talks in sofia end", True), ("The Bulgariana hotel chain", False),
    ("Sofiabank results", False), ("Nothing about it", False), ("(Bulgaria)", True),
])
def test_terms_match_whole_words_in_any_case(outlets, text, found):
    c = desk_rows.cluster("Story")
    desk_rows.item(outlets["Le Monde"], "A headline", summary=text, cluster=c)
    assert bool(monitor.todays_clusters()) is found


def test_the_body_counts_too_and_inactive_terms_do_not(outlets):
    c = desk_rows.cluster("Story")
    desk_rows.item(outlets["NHK"], "Election", body="<p>Voters in Sofia queue.</p>", cluster=c)
    assert [e.cluster for e in monitor.todays_clusters()] == [c]
    WatchedTerm.objects.filter(term="Sofia").update(active=False)
    assert monitor.todays_clusters() == []


def test_clusters_rank_by_outlets_then_recency_within_the_day(outlets):
    wide = desk_rows.cluster("Wide", age=timedelta(hours=5))
    for name in ("Le Monde", "Die Zeit", "El País"):
        desk_rows.item(outlets[name], f"Bulgaria in {name}", cluster=wide, age=timedelta(hours=5))
    recent = desk_rows.cluster("Recent", age=timedelta(minutes=5))
    desk_rows.item(outlets["NHK"], "Bulgarian news", cluster=recent, age=timedelta(minutes=5))
    older = desk_rows.cluster("Older", age=timedelta(hours=3))
    desk_rows.item(outlets["NHK"], "Bulgarian news again", cluster=older, age=timedelta(hours=3))
    # Two items of one outlet count as one outlet.
    desk_rows.item(outlets["NHK"], "More Bulgarian news", cluster=older, age=timedelta(hours=3))
    stale = desk_rows.cluster("Yesterday", age=timedelta(hours=30))
    desk_rows.item(outlets["NHK"], "Bulgaria, yesterday", cluster=stale, age=timedelta(hours=30))
    entries = monitor.todays_clusters()
    assert [e.cluster.headline for e in entries] == ["Wide", "Recent", "Older"]
    assert entries[0].outlets == ["Le Monde", "Die Zeit", "El País"]
    assert entries[0].terms == ["Bulgaria"]  # as the desk spells it, not as matched


def test_the_page_and_its_json_cost_the_same_queries_however_many_clusters(
        outlets, make_user, desk_client, django_assert_max_num_queries):
    client = desk_client(make_user("Reporter"))
    c = desk_rows.cluster("First")
    desk_rows.item(outlets["NHK"], "Bulgaria first", cluster=c)
    client.get(MONITOR)
    with django_assert_max_num_queries(30) as few:
        client.get(MONITOR)
    with django_assert_max_num_queries(30) as few_json:
        client.get(MONITOR.rstrip("/") + ".json")
    for n in range(15):
        c = desk_rows.cluster(f"Cluster {n}")
        for name in ("Le Monde", "El País"):
            desk_rows.item(outlets[name], f"Sofia story {n}", cluster=c)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(MONITOR)
    assert page.content.decode().count('class="monitor-cluster"') == 16
    with django_assert_max_num_queries(len(few_json.captured_queries)):
        client.get(MONITOR.rstrip("/") + ".json")


def test_the_json_gives_each_cluster_its_outlets_languages_links_and_times(
        outlets, make_user, desk_client):
    c = desk_rows.cluster("Strike")
    one = desk_rows.item(outlets["Le Monde"], "Grève en Bulgarie, Bulgaria", cluster=c,
                         language="fr")
    desk_rows.item(outlets["Die Zeit"], "Streik in Bulgarien (Bulgaria)", cluster=c,
                   language="de")
    data = desk_client(make_user("Reporter")).get("/desk/ingest/monitor.json").json()
    [got] = data["clusters"]
    assert got["outlets"] == ["Le Monde", "Die Zeit"] and got["languages"] == ["de", "fr"]
    assert got["items"][0]["link"] == one.link and got["items"][0]["first_seen_at"]
    assert set(data["terms"]) == set(settings.DATELINE_WATCHED_TERMS)


def test_an_excluded_phrase_does_not_count_as_naming_the_country(outlets):
    """"Georgia" watched: every story from Atlanta, Georgia filled the monitor."""
    WatchedTerm.objects.create(term="Georgia")
    WatchedTerm.objects.create(term="Atlanta, Georgia", excluded=True)
    state = desk_rows.cluster("State")
    desk_rows.item(outlets["NHK"], "Storm", summary="A storm hit Atlanta, Georgia overnight.",
                   cluster=state)
    country = desk_rows.cluster("Country")
    desk_rows.item(outlets["NHK"], "Vote", cluster=country,
                   summary="From Atlanta, Georgia to Tbilisi: Georgia votes today.")
    [entry] = monitor.todays_clusters()
    assert entry.cluster == country and entry.terms == ["Georgia"]
    assert "Atlanta, Georgia" not in monitor.active_terms()
    WatchedTerm.objects.filter(excluded=True).update(active=False)  # an exclusion switched off
    assert len(monitor.todays_clusters()) == 2


def test_each_item_shows_the_words_around_its_first_mention(outlets, make_user, desk_client):
    c = desk_rows.cluster("Gas")
    words = " ".join(f"w{n}" for n in range(40))
    desk_rows.item(outlets["Die Zeit"], "Gaspreise", cluster=c, summary="",
                   body=f"<p>{words} <b>Bulgarien</b> und Bulgaria <script>x</script> "
                        f"{words}</p>")
    only_headline = desk_rows.item(outlets["NHK"], "Bulgaria gas deal", cluster=c)
    [entry] = monitor.todays_clusters()
    first, second = entry.items
    before, mention, after = first.snippet
    assert mention == "Bulgaria" and before.startswith("… ") and after.endswith(" …")
    assert before.endswith(" w39 Bulgarien und ") and len(before.split()) == 15
    assert second.pk == only_headline.pk and second.snippet is None
    page = desk_client(make_user("Reporter")).get(MONITOR).text
    assert "<mark>Bulgaria</mark>" in page and "<script>x" not in page
    data = desk_client(make_user("Reporter")).get("/desk/ingest/monitor.json").json()
    assert data["clusters"][0]["items"][0]["snippet"] == [before, "Bulgaria", after]


def test_a_mention_in_a_list_or_heading_has_its_snippet_and_blocks_keep_their_space(outlets):
    """"<li>Georgia</li><li>Armenia</li>" read as "GeorgiaArmenia": no snippet; paragraphs
    ran together ("show.Bulgaria")."""
    WatchedTerm.objects.create(term="Georgia")
    c = desk_rows.cluster("Fair")
    desk_rows.item(outlets["NHK"], "Trade fair", cluster=c, summary="",
                   body="<p>Exhibitors came from the show.</p><ul><li>Georgia</li>"
                        "<li>Armenia&amp;Co</li></ul>")
    [entry] = monitor.todays_clusters()
    assert entry.items[0].snippet == ("Exhibitors came from the show. ", "Georgia",
                                      " Armenia&Co")


def test_the_monitor_is_for_the_newsroom_only(outlets, make_user, desk_client):
    assert desk_client(make_user("Contributor")).get(MONITOR).status_code == 403
    assert desk_client(make_user(None)).get("/desk/ingest/monitor.json").status_code == 403


def test_an_item_becomes_a_draft_quoting_its_summary(outlets, make_user, desk_client,
                                                     make_section):
    make_section("World")
    editor = make_user("Editor")
    feed = outlets["Le Monde"]
    item = desk_rows.item(feed, "Sofia signs the deal", summary="The deal was signed today.",
                          body="<p>THE OUTLET'S FULL TEXT.</p>")
    answer = desk_client(editor).post(f"/desk/ingest/items/{item.pk}/draft/")
    draft = Article.objects.get(created_by=editor)
    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/newsroom/article/{draft.pk}/change/"
    assert draft.status == Article.Status.DRAFT and draft.kind == Article.Kind.STORY
    assert draft.headline == "Sofia signs the deal"
    assert f'<blockquote cite="{item.link}"><p>The deal was signed today.</p></blockquote>' \
        in draft.body and f'<a href="{item.link}"' in draft.body
    assert "FULL TEXT" not in draft.body
    assert list(draft.sources.all()) == [feed.outlet]
    assert Item.objects.get(pk=item.pk).used
    assert AuditEntry.objects.filter(article=draft, action="create").exists()
    # Version 1 on record: two editors' saves of the draft merge field by field (without it
    # the panel started every field on "mine", and one Save wiped the other's fixes).
    assert list(draft.revisions.values_list("version", "headline")) == [
        (1, "Sofia signs the deal")]
    # The section is the desk's default, not the outlet's: the editor is told which.
    followed = desk_client(editor).get(answer["Location"]).content.decode()
    assert "It is filed under World: choose its section before publishing." in followed
    # ...and beside the workflow buttons, every time the draft is opened until it is saved:
    # the message came once, and a draft was published under the default unseen.
    notice = ("<strong>Section?</strong> The monitor filed this draft under World, the "
              "desk's default for drafts")
    workflow = followed.split('<section class="workflow"')[1].split("</section>")[0]
    assert notice in workflow
    assert notice in desk_client(editor).get(answer["Location"]).content.decode()
    Article.objects.filter(pk=draft.pk).update(version=2)  # saved by someone since
    assert notice not in desk_client(editor).get(answer["Location"]).content.decode()


def test_a_second_draft_of_an_item_is_asked_for_naming_the_first(outlets, make_user,
                                                                   desk_client, make_section):
    """Pressed twice (or by two colleagues), "Draft from this item" made two drafts of one
    story without a word."""
    make_section("World")
    ann, bo = make_user("Editor", "ann"), make_user("Editor", "bo")
    item = desk_rows.item(outlets["Le Monde"], "Sofia signs the deal", summary="Signed.")
    url = f"/desk/ingest/items/{item.pk}/draft/"
    desk_client(ann).post(url)
    first = Article.objects.get()
    asked = desk_client(bo).post(url)
    assert asked.status_code == 200 and Article.objects.count() == 1
    page = asked.content.decode()
    assert f'href="/desk/newsroom/article/{first.pk}/change/"' in page
    assert "by ann" in page and 'name="again" value="1"' in page
    again = desk_client(bo).post(url, {"again": "1"})
    assert again.status_code == 302 and Article.objects.count() == 2
    # An item with no address of its own names no other story as its draft.
    bare = desk_rows.item(outlets["Le Monde"], "Film wins Cesar", summary="It won.")
    Item.objects.filter(pk=bare.pk).update(link="")
    make_article_without_link = Article.objects.create(
        headline="Unrelated story", body="<p>Other.</p>", section=first.section)
    bare_url = f"/desk/ingest/items/{bare.pk}/draft/"
    desk_client(ann).post(bare_url)
    page = desk_client(bo).post(bare_url).content.decode()
    assert make_article_without_link.headline not in page and "Drafted already" in page


def test_two_editors_pressing_draft_at_the_same_moment_make_one_draft(outlets, make_user,
                                                                       make_section):
    """Each read the item unused, then each made a draft (1 race in 6 on the tester's
    clone): the items are claimed in the statement that marks them, so the later finds it
    taken, and only "Draft it again" makes a second."""
    from dateline.ingest.drafts import DraftedAlready, make_draft

    make_section("World")
    ann, bo = make_user("Editor", "ann"), make_user("Editor", "bo")
    item = desk_rows.item(outlets["Le Monde"], "Sofia signs the deal", summary="Signed.")
    read_by_bo = [Item.objects.get(pk=item.pk)]  # read before Ann's press, unused
    make_draft([Item.objects.get(pk=item.pk)], ann)
    assert read_by_bo[0].used is False
    with pytest.raises(DraftedAlready):
        make_draft(read_by_bo, bo)
    assert Article.objects.count() == 1
    make_draft(read_by_bo, bo, again=True)
    assert Article.objects.count() == 2


def test_a_cluster_becomes_one_draft_with_all_its_outlets(outlets, make_user, desk_client,
                                                          make_section):
    make_section("World")
    editor = make_user("Reporter")
    republishable = desk_rows.feed("Agency", may_republish=True)
    c = desk_rows.cluster("Floods")
    items = [desk_rows.item(outlets["NHK"], "Floods in Bulgaria", summary="Rivers rose.",
                            cluster=c),
             desk_rows.item(outlets["Die Zeit"], "Hochwasser", summary="Flüsse stiegen.",
                            body="<p>Secret full text.</p>", cluster=c),
             desk_rows.item(republishable, "Floods", summary="Short.",
                            body="<p>The agency's whole story.</p>", cluster=c)]
    answer = desk_client(editor).post(f"/desk/ingest/clusters/{c.pk}/draft/")
    draft = Article.objects.get(created_by=editor)
    assert answer["Location"].endswith(f"/{draft.pk}/change/")
    assert {s.name for s in draft.sources.all()} == {"NHK", "Die Zeit", "Agency"}
    assert "Secret full text" not in draft.body
    assert "<p>The agency's whole story.</p>" in draft.body
    assert all(Item.objects.get(pk=i.pk).used for i in items)


def test_a_republished_items_pictures_stay_out_of_the_draft(outlets, make_user, desk_client,
                                                            make_section):
    """A 1-pixel tracker and the outlet's hot-linked photo went into the draft, and would have
    gone to every reader's browser."""
    make_section("World")
    editor = make_user("Reporter")
    agency = desk_rows.feed("Agency", may_republish=True)
    item = desk_rows.item(agency, "Floods", summary="Short.", body=(
        '<p>Rivers rose.<img src="http://tracker.example/pixel.gif?id=42" width="1" '
        'height="1"></p><figure><img src="https://agency.example/flood.jpg" alt="Flood">'
        "<figcaption>The river at dawn.</figcaption></figure>"))
    desk_client(editor).post(f"/desk/ingest/items/{item.pk}/draft/")
    draft = Article.objects.get(created_by=editor)
    assert "<img" not in draft.body and "tracker.example" not in draft.body
    assert "Rivers rose." in draft.body and "The river at dawn." in draft.body


def test_a_draft_needs_the_right_to_write(outlets, make_user, desk_client):
    item = desk_rows.item(outlets["NHK"], "Bulgaria")
    assert desk_client(make_user(None)).post(
        f"/desk/ingest/items/{item.pk}/draft/").status_code == 403
    assert desk_client(make_user("Editor")).get(
        f"/desk/ingest/items/{item.pk}/draft/").status_code == 405
    assert not Article.objects.exists()


def test_a_link_that_is_not_a_web_address_is_never_a_link(outlets, make_user, desk_client,
                                                         make_section):
    make_section("World")
    c = desk_rows.cluster("Trap")
    trap = desk_rows.item(outlets["NHK"], "Bulgaria trap", summary="Text.", cluster=c)
    Item.objects.filter(pk=trap.pk).update(link="javascript:alert(1)", canonical_url="")
    client = desk_client(make_user("Editor"))
    assert client.get("/desk/ingest/monitor.json").json()["clusters"][0]["items"][0]["link"] == ""
    assert "javascript:" not in client.get(MONITOR).content.decode()
    client.post(f"/desk/ingest/clusters/{c.pk}/draft/")
    assert "javascript:" not in Article.objects.get().body


@pytest.mark.parametrize("text", ["Протести в българия", "БЪЛГАРИЯ гласува", "Новини: България."])
def test_a_term_in_another_alphabet_matches_in_any_case(outlets, text):
    WatchedTerm.objects.create(term="България")
    c = desk_rows.cluster("Cyrillic")
    desk_rows.item(outlets["NHK"], text, cluster=c, language="bg")
    assert [e.cluster for e in monitor.todays_clusters()] == [c]


@pytest.mark.parametrize("text", ["保加利亚总统访问北京", "\ufeff保加利亚总统访问北京",
                                  "ブルガリアの首相が来日", "ประธานาธิบดีบัลแกเรียเยือนไทย"])
def test_a_term_in_a_script_without_spaces_matches_within_the_words(outlets, text):
    """Only "保加利亚 总统 访问 上海", spaced as Chinese never is, showed on the monitor."""
    for term in ("保加利亚", "ブルガリア", "บัลแกเรีย"):
        WatchedTerm.objects.create(term=term)
    c = desk_rows.cluster("Unspaced")
    desk_rows.item(outlets["NHK"], text, cluster=c)
    [entry] = monitor.todays_clusters()
    assert entry.cluster == c and len(entry.terms) == 1
    long = desk_rows.item(outlets["NHK"], "长", cluster=c,
                          summary="北京" * 200 + "保加利亚" + "东" * 300)
    [entry] = monitor.todays_clusters()
    before, _, after = next(i.snippet for i in entry.items if i.pk == long.pk)
    assert len(before) == len(after) == 121  # an ellipsis and 120 characters
    # A term in Latin letters written against Japanese or Chinese ones is still a word.
    tokyo = desk_rows.cluster("Tokyo")
    desk_rows.item(outlets["NHK"], "NATOの首脳会議がSofiaで開催", cluster=tokyo)
    assert tokyo in [e.cluster for e in monitor.todays_clusters()]
    Item.objects.filter(cluster=tokyo).delete()
    # Spaced scripts keep their whole words: "Bulgariana" still names nothing.
    desk_rows.item(outlets["NHK"], "The Bulgariana hotel", cluster=desk_rows.cluster("Hotel"))
    assert [e.cluster for e in monitor.todays_clusters()] == [c]


def test_a_reporter_drafts_but_builds_no_review_and_sees_no_settings(outlets, make_user,
                                                                     desk_client):
    c = desk_rows.cluster("Story")
    desk_rows.item(outlets["NHK"], "Bulgaria", cluster=c)
    html = desk_client(make_user("Reporter")).get(MONITOR).content.decode()
    assert "Draft from the whole cluster" in html and "Add to press review" not in html
    assert "/desk/ingest/feed/" not in html and "/desk/ingest/watchedterm/" not in html
    editor = desk_client(make_user("Editor")).get(MONITOR).content.decode()
    assert "Add to press review" in editor and "/desk/ingest/watchedterm/" in editor
