"""Photos on the public pages, from real photos put through the library and the worker's task:
listings' thumbnails, the article's figures, JSON-LD images, link cards and the page cache."""

import io
import re

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from dateline.newsroom.models import Tag
from dateline.pictures.library import add_photo
from dateline.pictures.models import Photo, Rendition, StoryPhoto
from dateline.pictures.tasks import make_renditions
from tests.conftest import require_shared
from tests.pictures.renditions_helpers import jpeg, real_photo
from tests.site.test_structured_data import schema_problems

pytestmark = pytest.mark.django_db
IPTC = "IPTC-PhotometadataRef-Std2017.1.jpg"
LEAD_TERMS = "Licence at https://example.com/licensing. Not for resale."


def rendered(data: bytes, name: str, **fields) -> Photo:
    """A photo added as the desk adds one, with the renditions the worker's task makes."""
    photo, _ = add_photo(io.BytesIO(data), name=name, fields=fields)
    result = make_renditions.call(photo.pk)
    assert result["made"] > 0, result
    return Photo.objects.get(pk=photo.pk)


def corpus_photo(name: str, **fields) -> Photo:
    return rendered(require_shared(f"corpus/photos/{name}").read_bytes(), name, **fields)


def use(article, photo: Photo, role=StoryPhoto.Role.LEAD, **fields) -> StoryPhoto:
    return StoryPhoto.objects.create(article=article, photo=photo, role=role, **fields)


def tag_of(html: str, tag: str, marker: str) -> str:
    """The first `<tag ...>` whose attributes contain `marker`."""
    found = re.search(rf"<{tag} [^>]*{re.escape(marker)}[^>]*>", html)
    assert found, f"no <{tag}> with {marker}"
    return found[0]


@pytest.fixture
def iptc():
    return corpus_photo(IPTC, alt_text="The IPTC reference photo", usage_terms=LEAD_TERMS)


@pytest.fixture
def story(make_article, iptc):
    article = make_article(
        "Storm reaches the coast",
        body="<p>First paragraph.</p><blockquote><p>A quote.</p></blockquote>"
             "<p>Second paragraph.</p><p>Third paragraph.</p>",
    )
    use(article, iptc, caption="Waves over the harbour wall", credit="Ann Lee/Dateline")
    rocket = corpus_photo("rocket.jpg", alt_text="A rocket rises from its pad",
                          caption="The launch", credit="SpaceX")
    use(article, rocket, StoryPhoto.Role.BODY, after_paragraph=2)
    return article


def test_the_article_shows_its_lead_photo_and_body_photos_with_caption_and_credit(client, story):
    html = client.get(story.get_absolute_url()).content.decode()

    lead = re.search(r'<figure class="story-photo story-photo-lead">(.*?)</figure>', html, re.S)[1]
    assert lead.startswith("<picture>")
    assert re.search(r'<source type="image/avif" srcset="[^"]+ \d+w', lead)
    assert re.search(r'<source type="image/webp" srcset="[^"]+ \d+w', lead)
    img = tag_of(lead, "img", "srcset=")
    assert re.search(r'width="\d+" height="\d+"', img)
    assert 'alt="The IPTC reference photo"' in img
    assert 'loading="eager"' in img and 'fetchpriority="high"' in img
    assert 'sizes="(min-width: 44rem) 42rem, calc(100vw - 2rem)"' in img
    assert re.search(r'src="/media/pictures/[0-9a-f]{2}/[0-9a-f]{64}-\d+x\d+\.jpg"', img)
    assert ('<figcaption><span class="photo-caption">Waves over the harbour wall</span> '
            '<span class="photo-credit">Photo: Ann Lee/Dateline</span></figcaption>') in lead
    # The lead photo comes before the story's body, under the headline.
    assert html.index("story-photo-lead") < html.index('class="story-body"')

    # The body photo follows the second top-level paragraph (a quote's paragraph is not one).
    body = re.search(r'<div class="story-body">(.*?)</div>\s*<footer', html, re.S)[1]
    second, figure, third = (body.index("Second paragraph.</p>"),
                             body.index('<figure class="story-photo story-photo-body">'),
                             body.index("<p>Third paragraph."))
    assert second < figure < third
    body_figure = body[figure:body.index("</figure>", figure)]
    assert 'alt="A rocket rises from its pad"' in body_figure
    assert 'loading="lazy"' in body_figure and "fetchpriority" not in body_figure
    assert "The launch" in body_figure and "Photo: SpaceX" in body_figure


def test_a_body_photo_is_shown_as_taken_not_cut_to_the_leads_shape(client, make_article):
    """Every body photo was cut to 16:9: a phone's portrait photo kept its middle 42 %."""
    portrait = Image.new("RGB", (600, 800), (40, 90, 160))
    buffer = io.BytesIO()
    portrait.save(buffer, "JPEG")
    photo = rendered(buffer.getvalue(), "portrait.jpg", alt_text="A tall photo",
                     credit="Ann Lee")
    article = make_article("Flood", body="<p>One.</p><p>Two.</p>")
    use(article, photo, StoryPhoto.Role.BODY, after_paragraph=1)
    html = client.get(article.get_absolute_url()).content.decode()
    figure = re.search(r'<figure class="story-photo story-photo-body">(.*?)</figure>', html,
                       re.S)[1]
    img = tag_of(figure, "img", "srcset=")
    width, height = map(int, re.search(r'width="(\d+)" height="(\d+)"', img).groups())
    assert (width, height) == (600, 800)


def test_a_body_photo_placed_past_the_last_paragraph_ends_the_story(client, make_article, iptc):
    article = make_article("Short story", body="<p>Only paragraph.</p>")
    use(article, iptc, StoryPhoto.Role.BODY, after_paragraph=9)
    html = client.get(article.get_absolute_url()).content.decode()
    assert re.search(r'Only paragraph\.</p>\s*<figure class="story-photo story-photo-body">', html)
    assert "story-photo-lead" not in html


def test_listings_show_lead_photo_thumbnails_eager_above_the_fold(
    client, make_section, make_article, make_tag, iptc
):
    world = make_section("World", position=1)
    place = make_tag("Sofia", Tag.Kind.PLACE)
    stories = [make_article(f"Storm story {i}", section=world, tags=[place]) for i in range(5)]
    for story in stories:
        use(story, iptc)
    make_article("Storm story without a photo", section=world, tags=[place])
    for path in ("/", "/section/world/", "/places/sofia/", "/search/?q=storm"):
        html = client.get(path).content.decode()
        images = re.findall(r'<div class="teaser-photo"><picture>.*?(<img [^>]+>)', html, re.S)
        assert len(images) == 5, path
        for img in images:
            assert re.search(r'width="\d+" height="\d+"', img) and 'alt="The IPTC' in img
        # 4:3 renditions of the 1000 x 500 photo: 667 x 500 is its largest, 320 x 240 smaller.
        assert all(re.search(r'-\d+x(240|480|500)\.jpg', img) for img in images[1:]), path
        assert all("(min-width: 48rem) 10rem, 30vw" in img for img in images[1:]), path
        loading = [re.search(r'loading="(\w+)"', img)[1] for img in images]
        assert loading == ["eager"] * 3 + ["lazy"] * 2, path
        assert html.count('class="teaser has-photo"') + html.count(
            'class="teaser teaser-lead has-photo"') == 5


def test_listing_queries_do_not_grow_with_the_number_of_stories(
    client, settings, make_section, make_article, make_tag, iptc
):
    # Every listing rendered, not taken from its stored part (home, section: parts too).
    settings.DATELINE_FRAGMENT_CACHE_ON = False
    world = make_section("World", position=1)
    place = make_tag("Sofia", Tag.Kind.PLACE)
    rocket = corpus_photo("rocket.jpg", alt_text="A rocket")

    def queries(count: int) -> dict[str, int]:
        while StoryPhoto.objects.count() < count:
            story = make_article(section=world, tags=[place])
            use(story, rocket if story.pk % 2 else iptc)
        found = {}
        for path in ("/", "/section/world/", "/places/sofia/"):
            client.get(path)  # the section tree is read once, then kept
            with CaptureQueriesContext(connection) as run:
                html = client.get(path).content.decode()
            assert html.count('<div class="teaser-photo">') >= min(count, 6), path
            found[path] = len(run)
        return found

    assert queries(2) == queries(12)


def test_the_news_article_has_three_image_shapes_with_credit_and_rights(client, story, iptc):
    url = story.get_absolute_url()
    html = client.get(url).content.decode()
    data = extruct.extract(html, base_url=f"http://testserver{url}", syntaxes=["json-ld"])
    news = next(item for item in data["json-ld"] if item["@type"] == "NewsArticle")
    assert schema_problems(news) == []
    images = news["image"]
    assert len(images) == 3
    # The original is 1000 px wide: each shape at its widest, the largest the crop allows.
    for image, shape in zip(images, ("16x9", "4x3", "1x1"), strict=True):
        widest = max(iptc.renditions.filter(shape=shape, format="jpeg"), key=lambda r: r.width)
        assert (image["width"], image["height"]) == (widest.width, widest.height)
        assert image["url"] == f"http://testserver{widest.file.url}" == image["contentUrl"]
        assert image["@type"] == "ImageObject"
        assert image["caption"] == "Waves over the harbour wall"
        assert image["creditText"] == "Ann Lee/Dateline"
        assert image["copyrightNotice"] == iptc.copyright_notice != ""
        assert image["creator"] == {"@type": "Person", "name": iptc.creator}
        assert image["license"] == image["acquireLicensePage"] == "https://example.com/licensing"
    assert [i["width"] / i["height"] for i in images] == pytest.approx([16 / 9, 4 / 3, 1],
                                                                        rel=0.01)


def test_a_large_original_gives_images_at_least_1200_wide(client, make_article):
    photo = rendered(jpeg(real_photo(2400, 1600)), "big.jpg", alt_text="A rocket, large",
                     creator="Jane Doe", usage_terms="Editorial use only")
    article = make_article("Launch day")
    use(article, photo)
    html = client.get(article.get_absolute_url()).content.decode()
    news = next(item for item in extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
                if item["@type"] == "NewsArticle")
    assert schema_problems(news) == []
    assert [(i["width"], i["height"]) for i in news["image"]] == [(1280, 720), (1280, 960),
                                                                 (1280, 1280)]
    # Words without a page: kept as the licence's text, with no page to buy one.
    assert news["image"][0]["license"] == {"@type": "CreativeWork",
                                           "text": "Editorial use only"}
    assert "acquireLicensePage" not in news["image"][0]
    og = dict(re.findall(r'<meta property="(og:image[^"]*)" content="([^"]*)">', html))
    assert (og["og:image:width"], og["og:image:height"]) == ("1280", "720")


def test_link_cards_carry_the_lead_photo(client, story, iptc):
    html = client.get(story.get_absolute_url()).content.decode()
    og = dict(re.findall(r'<meta property="(og:image[^"]*)" content="([^"]*)">', html))
    widest = max(iptc.renditions.filter(shape="16x9", format="jpeg"), key=lambda r: r.width)
    assert og == {
        "og:image": f"http://testserver{widest.file.url}",
        "og:image:type": "image/jpeg",
        "og:image:width": str(widest.width),
        "og:image:height": str(widest.height),
        "og:image:alt": "The IPTC reference photo",
    }
    twitter = dict(re.findall(r'<meta name="(twitter:[^"]*)" content="([^"]*)">', html))
    assert twitter["twitter:card"] == "summary_large_image"
    assert twitter["twitter:image"] == og["og:image"]
    assert twitter["twitter:image:alt"] == "The IPTC reference photo"


def test_a_story_without_a_photo_gets_no_invented_image(client, make_article):
    html = client.get(make_article("No pictures here").get_absolute_url()).content.decode()
    assert '<meta name="twitter:card" content="summary">' in html
    assert "og:image" not in html and "twitter:image" not in html
    assert "<picture>" not in html and "<figure" not in html
    news = next(item for item in extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
                if item["@type"] == "NewsArticle")
    assert "image" not in news


def test_a_draft_s_preview_shows_its_photos(client, make_article, iptc):
    from dateline.newsroom.models import Article
    from dateline.newsroom.preview import preview_url

    draft = make_article("Draft with a photo", status=Article.Status.DRAFT, published_at=None,
                         body="<p>One.</p><p>Two.</p>")
    use(draft, iptc, caption="Harbour at dawn")
    use(draft, iptc, StoryPhoto.Role.BODY, after_paragraph=1, caption="Again")
    html = client.get(preview_url(draft)).content.decode()
    assert re.search(r'<figure class="story-photo story-photo-lead"><picture>.*Harbour at dawn',
                     html, re.S)
    assert re.search(r'One\.</p><figure class="story-photo story-photo-body">.*Again.*Two\.',
                     html, re.S)


def test_before_the_worker_ran_a_page_shows_no_image_and_no_empty_figure(client, make_article):
    data = require_shared("corpus/photos/rocket.jpg").read_bytes()
    photo, _ = add_photo(io.BytesIO(data), name="rocket.jpg", fields={"caption": "Soon"})
    article = make_article("Waiting for the worker")
    use(article, photo)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<figure" not in html and "og:image" not in html and "Soon" not in html


@pytest.mark.django_db(transaction=True)
def test_cached_pages_follow_changes_to_the_photo(make_article):
    from tests.pagecache.test_pagecache import Reader

    reader = Reader()
    photo = corpus_photo("rocket.jpg", caption="Old caption", alt_text="Old alt")
    article = make_article("Launch day")
    use(article, photo)
    url = article.get_absolute_url()
    for path in (url, "/"):
        reader.get(path)
        assert reader.get(path)[1]["X-Cache"] == "HIT"

    photo.caption, photo.alt_text = "New caption", "New alt"
    photo.save()
    status, headers, body = reader.get(url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert "New caption" in body and "Old caption" not in body
    assert 'alt="New alt"' in body and 'content="New alt"' in body  # the <img> and og:image:alt
    assert 'alt="New alt"' in reader.get("/")[2]  # the home page's thumbnail

    # The story's own caption, and a photo taken out of the story.
    lead = StoryPhoto.objects.get(article=article)
    lead.caption = "The story's own words"
    lead.save()
    assert "The story&#x27;s own words" in reader.get(url)[2]
    lead.delete()
    assert "<figure" not in reader.get(url)[2]

    # Renditions made later (a moved focal point, a first run) reach the page too.
    use(article, photo)
    Rendition.objects.filter(photo=photo).delete()
    assert "<picture>" not in reader.get(url)[2]
    make_renditions.call(photo.pk)
    assert "<picture>" in reader.get(url)[2]


def test_a_changed_photo_announces_its_published_stories(make_article, iptc):
    from dateline.newsroom.models import Article
    from dateline.newsroom.signals import public_story_changed

    heard = []

    def listen(sender, kind, article_id, **kwargs):
        heard.append((kind, article_id))

    published = make_article("Published with the photo")
    draft = make_article("Draft with the photo", status=Article.Status.DRAFT, published_at=None)
    use(published, iptc)
    use(draft, iptc)
    make_article("Published without it")
    public_story_changed.connect(listen)
    try:
        iptc.caption = "A new caption"
        iptc.save()
        assert heard == [("updated", published.pk)]  # feeds (WebSub) push the new words
        heard.clear()
        make_renditions.call(iptc.pk)  # nothing new to make: no announcement either
        Rendition.objects.filter(photo=iptc, shape="1x1").delete()
        assert heard == []  # new files, same words: pages renewed, feeds not pushed
        StoryPhoto.objects.get(article=published).delete()
        assert heard == [("updated", published.pk)]
    finally:
        public_story_changed.disconnect(listen)


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
def test_pages_with_photos_are_valid_html(client, tmp_path, story, make_tag):
    import shutil

    from tests.site.test_html_validity import VNU, vnu_errors

    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    place = make_tag("Sofia", Tag.Kind.PLACE)
    story.tags.add(place)
    files = []
    for i, path in enumerate((story.get_absolute_url(), "/", story.section.get_absolute_url(),
                              "/places/sofia/", "/search/?q=storm")):
        html = client.get(path).content.decode()
        assert "<picture>" in html, path
        files.append(tmp_path / f"page{i}.html")
        files[-1].write_text(html)
    assert vnu_errors(java, files) == []
