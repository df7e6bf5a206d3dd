"""Every main page type passes the W3C Nu HTML Checker (vnu.jar from npm) with no errors."""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from dateline.newsroom.models import Article, ArticleNote, Tag

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.django_db


def vnu_errors(java: str, files: list[Path]) -> list[str]:
    """The Nu HTML Checker's errors for the files, one Java start for all of them: the
    checker takes seconds to start, milliseconds a page."""
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stderr)  # the checker writes its JSON report to stderr
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        f" [{m.get('extract', '')}]"
        for m in report["messages"]
    ]


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
def test_main_pages_are_valid_html(
    client, settings, tmp_path, make_section, make_article, make_tag, make_source, make_author
):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    settings.DATELINE_PAGE_SIZE = 3  # so that listings paginate
    world = make_section("World", position=1, description="News from around the world.")
    russia = make_section("Russia", parent=world)
    make_section("Sport", position=2)
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    putin = make_tag("Vladimir Putin", Tag.Kind.PERSON)
    author = make_author("Ivan Petrov")
    story = make_article(
        "Kremlin agrees to new talks & a <summit>", section=russia, tags=[moscow, putin],
        authors=[author, make_author("Ana Lee")], is_top_story=True, dateline="MOSCOW, Dec 11",
        sources=[make_source("NBC News", "https://www.nbcnews.com/"), make_source("Le Monde")],
        standfirst="Officials confirmed the meeting on Wednesday.",
        body="<p>The Kremlin agreed to talks.</p><h2>Reaction</h2><ul><li>One</li></ul>",
    )
    story.updated_at = story.published_at + timedelta(minutes=30)
    story.save()
    ArticleNote.objects.create(article=story, kind=ArticleNote.Kind.CORRECTION,
                               text="An earlier version gave the wrong date.")
    for i in range(8):
        make_article(f"Russia story {i}", section=russia, tags=[moscow], authors=[author],
                     age=timedelta(hours=i + 2))
    for i in range(12):  # World's subsections fold away past twelve (<details>)
        make_section(f"Region {i}", parent=world)
    killed = make_article("Taken down", section=russia, status=Article.Status.UNPUBLISHED)

    pages = {
        "home": "/", "section": "/section/world/", "section-page-2": "/section/world/?page=2",
        "article": story.get_absolute_url(), "tag": "/places/moscow/",
        "author": "/authors/ivan-petrov/", "not-found": "/no/such/page/",
        "report-form": "/report/", "report-terms": "/report/terms/",
        "subscribe": "/edition/subscribe/", "search": "/search/?q=russia",
        "withdrawn": killed.get_absolute_url(),
    }
    files = []
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == {"not-found": 404, "withdrawn": 410}.get(name, 200), path
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)

    errors = vnu_errors(java, files)
    assert errors == [], "\n".join(errors)
