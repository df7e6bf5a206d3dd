from datetime import timedelta

from django.utils import timezone

from dateline.newsroom.models import Article, Section


def test_section_paths_follow_the_tree(make_section):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    assert russia.path == "world/russia"
    assert russia.display_path == "World » Russia"
    assert russia.get_absolute_url() == "/section/world/russia/"
    assert [s.name for s in russia.breadcrumbs()] == ["World", "Russia"]


def test_renaming_a_section_updates_its_descendants(make_section):
    world = make_section("World")
    europe = make_section("Europe", parent=world)
    make_section("Russia", parent=europe)
    world.name, world.slug = "International", "international"
    world.save()
    russia = Section.objects.get(name="Russia")
    assert russia.path == "international/europe/russia"
    assert russia.display_path == "International » Europe » Russia"


def test_subtree_ids_include_all_descendants_only(make_section):
    world = make_section("World")
    europe = make_section("Europe", parent=world)
    russia = make_section("Russia", parent=europe)
    make_section("Worldwide")  # a sibling whose path starts with "world" too
    assert set(Section.objects.subtree_ids(world)) == {world.pk, europe.pk, russia.pk}


def test_slug_is_kept_when_the_headline_is_edited(make_article):
    article = make_article("Storm hits coast")
    url = article.get_absolute_url()
    article.headline = "Storm hits coast, thousands evacuated"
    article.save()
    article.refresh_from_db()
    assert article.slug == "storm-hits-coast"
    assert article.get_absolute_url() == url


def test_body_is_sanitised_and_teaser_derived_on_save(make_article):
    article = make_article(body='<p>Talks resume in Geneva. More later.</p><script>x()</script>')
    assert "<script>" not in article.body
    assert article.teaser == "Talks resume in Geneva."
    article.standfirst = "Negotiators meet again in Geneva"
    article.save()
    assert article.teaser == "Negotiators meet again in Geneva"


def test_live_excludes_drafts_and_future_articles(make_article):
    live = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(published_at=timezone.now() + timedelta(hours=2))
    assert list(Article.objects.live()) == [live]


def test_publishing_without_a_time_stamps_now(make_section):
    section = make_section("World")
    article = Article.objects.create(
        headline="h", body="<p>b</p>", section=section, status=Article.Status.PUBLISHED
    )
    assert article.published_at is not None
    assert abs(article.published_at - timezone.now()) < timedelta(seconds=5)


def test_published_times_are_timezone_aware(make_article):
    article = make_article()
    article.refresh_from_db()
    assert timezone.is_aware(article.published_at)
