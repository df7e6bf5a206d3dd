"""The edition as a PDF: rendered by WeasyPrint, read back with poppler's pdftotext."""

import contextlib
import re
import shutil
import subprocess
import zlib
from collections import Counter
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise

import pytest
from django.utils import timezone

from dateline.edition.assembly import build_edition
from dateline.edition.models import EditionItem
from dateline.edition.pdf import Busy, one_render_at_a_time, pdf_folder, render_pdf
from dateline.newsroom.models import Article, ArticleNote
from tests.serving import serve_in_thread

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)
URL = "/edition/2024/12/11/pdf/"
LEAD = "Zürich \u2013 São Paulo flights resume after the strike"


def at(hour: int, minute: int = 0) -> datetime:
    """A time inside the edition's 24 hours (from 07:00 the day before)."""
    start = datetime(2024, 12, 10, 7, 0) + timedelta(hours=hour, minutes=minute)
    return timezone.make_aware(start)


def body(words: int, topic: str) -> str:
    sentence = (f"Officials said the {topic} talks would continue on Thursday, and that a "
                "statement was expected once the delegations had met again.")
    paragraphs = [sentence] * max(1, words // len(sentence.split()))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def pdftotext(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, laid out as printed."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is required: scripts/system-deps installs poppler-utils")
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.split("\f")


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture
def big_edition(make_section, make_article, settings):
    """A full morning: a lead, four sections of four stories, a column of briefs."""
    settings.DATELINE_EDITION_PER_SECTION = 4
    settings.DATELINE_EDITION_BRIEFS = 12
    sections = [make_section(name, position=n) for n, name in
                enumerate(["World", "Business", "Sport", "Technology"], start=1)]
    make_article(LEAD, section=sections[0], is_top_story=True, published_at=at(1),
                 standfirst="Both airports reopened overnight.", body=body(350, "airport"))
    for n, section in enumerate(sections):
        for i in range(7):  # four run in the section, the rest as briefs
            make_article(f"{section.name} report {i}", section=section,
                         published_at=at(2 + n, i), body=body(260 - i * 20, section.name))
    return build_edition(DAY)


def test_the_pdf_is_a_paged_newspaper_of_the_edition(client, big_edition, tmp_path):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="dateline-morning-news-2024-12-11.pdf"')
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    pages = pdftotext(pdf, tmp_path)
    pages = [page for page in pages if page.strip()]
    text = "\n".join(pages)
    assert len(pages) > 1, "a full edition runs over more than one page"
    front = pages[0]
    assert "Dateline Morning News" in front and "Wednesday, December 11, 2024" in front
    assert LEAD in " ".join(front.split())  # non-ASCII survives, on the front page
    for headline in ("World report 0", "Business report 0", "Sport report 0",
                     "Technology report 0"):
        assert headline in text
    headings = [line.strip() for line in text.splitlines()]
    for heading in ("World", "Business", "Sport", "Technology"):
        assert heading in headings  # a line of its own: the section's heading
    assert "News in Brief" in text and "Technology report 6" in text  # a brief
    assert f"Page 1 of {len(pages)}" in front
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    # From page 2 on, the running head names the edition and its date.
    second_head = pages[1].strip().splitlines()[0]
    assert "Dateline Morning News" in second_head
    assert "Wednesday, December 11, 2024" in second_head
    # Tagged, in English (PDF/UA): to a screen reader a plain PDF was text without structure.
    (tmp_path / "edition.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "edition.pdf")], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert b"/Lang (en)" in b"".join(_streams(pdf))


def test_a_story_cut_for_its_column_names_where_the_rest_is(client, big_edition, tmp_path,
                                                           settings):
    """Stories stopped mid-sentence ("The tax is 0.25 …") and a printed copy said nowhere
    where the rest was; briefs ran their headline into their text."""
    path = tmp_path / "edition.pdf"
    path.write_bytes(client.get(URL).content)
    read = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],  # reading order
                          capture_output=True, text=True, check=True, timeout=60).stdout
    squeezed = "".join(read.split())  # an address runs over the column's lines
    address = settings.DATELINE_SITE_URL.split("://", 1)[-1]
    cut = Article.objects.get(headline="World report 0")  # 260 words, a column takes 140
    assert f"Thewholestory:{address}{cut.get_absolute_url()}" in squeezed
    whole = Article.objects.get(headline=LEAD)  # 350 words: the lead prints 400, all of it
    assert f"{address}{whole.get_absolute_url()}" not in squeezed
    # A short story with quotes and an apostrophe is whole: it was said to be cut, as
    # Truncator rewrites quotes in what it keeps.
    from dateline.edition.templatetags.edition_print import printed

    quoted = '<p>The minister said: "We will act." It\'s done.</p>'
    assert printed(quoted, 140) == {"html": quoted, "cut": False}
    assert "Technology report 6: Officials said" in " ".join(read.split())  # a brief


def test_no_word_is_broken_by_a_hyphen_of_the_pdf_s_own(client, make_section, make_article,
                                                        tmp_path):
    """Hyphenation put a real hyphen into the text at line ends: "reassessing" could not be
    found in the PDF, nor copied, nor read whole by a screen reader."""
    words = ["reassessing", "telecommunications", "internationally", "parliamentarians",
             "notwithstanding", "counterproductive"]
    text = " ".join(words * 60)
    make_article("Long words", section=make_section("World"), published_at=at(1),
                 body=f"<p>{text}.</p>")
    build_edition(DAY)
    pdf = client.get(URL).content
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    read = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout
    assert "\u2010" not in read and not re.search(r"[a-z]-\n", read)
    found = re.findall(r"[a-z]+", read)
    assert found.count("reassessing") >= 20 and "reas" not in found


def word_gaps(pdf: bytes, tmp_path) -> list[float]:
    """The space, in points, between each two words on one printed line of body text (the
    size most words are set in), as poppler lays the page out."""
    path = tmp_path / "gaps.pdf"
    path.write_bytes(pdf)
    out = tmp_path / "gaps.html"
    subprocess.run(["pdftotext", "-bbox-layout", str(path), str(out)], check=True, timeout=60)
    number = r'"([0-9.]+)"'
    word = re.compile(rf"<word xMin={number} yMin={number} xMax={number} yMax={number}>")
    lines = [[tuple(map(float, w)) for w in word.findall(line)]
             for line in re.findall(r"<line .*?</line>", out.read_text(), re.S)]
    heights = Counter(round(w[3] - w[1], 1) for line in lines for w in line)
    body_height = heights.most_common(1)[0][0]
    return [b[0] - a[2] for line in lines if len(line) >= 4
            and all(round(w[3] - w[1], 1) == body_height for w in line)
            for a, b in pairwise(line)]


def test_body_text_keeps_even_spaces_between_its_words(client, make_section, make_article,
                                                       tmp_path):
    """Justified without hyphenation, the narrow columns stretched each line to its edge by
    widening its spaces, one in ten to nearly three spaces (pdf.css). Ragged right, a space
    is a space wherever it falls."""
    make_article("Even spaces", section=make_section("World"), published_at=at(1),
                 body=body(900, "climate"))
    build_edition(DAY)
    gaps = sorted(word_gaps(client.get(URL).content, tmp_path))
    space = gaps[len(gaps) // 2]
    assert len(gaps) > 300 and 1.0 < space < 4.0
    assert gaps[-1] < 1.5 * space, (space, gaps[-10:])


def test_a_word_longer_than_its_column_is_broken_inside_the_page(client, make_section,
                                                                make_article, tmp_path):
    """A 288-letter headline word, a 200-letter byline and a 3,000-letter word in the body ran
    out of their columns and off the page: pdftotext, which reads what lies on the page, had
    37 of the headline's letters; the body's word was drawn over the next column."""
    make_article("Long " + "Q" * 288, section=make_section("World"), published_at=at(1),
                 byline_text="X" * 200, body=f"<p>Start {'Z' * 3000} end.</p>")
    build_edition(DAY)
    read = "".join(pdftotext(client.get(URL).content, tmp_path))
    assert (read.count("Q"), read.count("X"), read.count("Z")) == (288, 200, 3000)


def test_chinese_japanese_korean_and_emoji_print_in_a_font_that_has_them(
        client, make_section, make_article, caplog):
    """With DejaVu and Liberation alone they printed as empty boxes: scripts/system-deps
    installs a font for each (WenQuanYi Micro Hei, Noto Color Emoji), which the PDF's text
    falls back on. WeasyPrint says each character no font has."""
    make_article("\u6771\u4eac \uc11c\uc6b8 \u5317\u4eac talks \U0001f1e7\U0001f1ec",
                 section=make_section("World"), published_at=at(1),
                 body="<p>\u3053\u3093\u306b\u3061\u306f \U0001f44d\U0001f3fd agreed.</p>")
    build_edition(DAY)
    with caplog.at_level("WARNING", logger="weasyprint"):
        assert client.get(URL).status_code == 200
    assert not [r.getMessage() for r in caplog.records if "unsupported by fonts" in
                r.getMessage()]


def _streams(pdf: bytes) -> list[bytes]:
    """The PDF's compressed streams, inflated (its catalogue sits in an object stream)."""
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompress(match.group(1)))
    return found


def test_a_pdf_is_rendered_once_and_again_only_when_the_edition_changes(
    client, make_article, make_section, var_dir, tmp_path
):
    world = make_section("World")
    first = make_article("Parliament passes the budget", section=world, published_at=at(1))
    second = make_article("Storm closes the ports", section=world, published_at=at(2))
    edition = build_edition(DAY)
    pdf = client.get(URL).content
    kept = list(pdf_folder().glob("2024-12-11-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == pdf
    # The next request is answered from the kept file, not rendered again.
    kept[0].write_bytes(pdf + b"% kept")
    assert client.get(URL).content == pdf + b"% kept"
    EditionItem.objects.filter(edition=edition, article=second).update(position=0)
    EditionItem.objects.filter(edition=edition, article=first).update(column="brief")
    again = client.get(URL).content
    assert again != pdf
    text = " ".join(pdftotext(again, tmp_path))
    assert text.index("Storm closes the ports") < text.index("Parliament passes the budget")
    assert len(list(pdf_folder().glob("2024-12-11-*.pdf"))) == 2  # the older kept aside


class Recorder(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):
        Recorder.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args):
        pass


def test_rendering_fetches_nothing_from_anywhere():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    serve_in_thread(server)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        html = (f'<link rel="stylesheet" href="{origin}/evil.css">'
                f'<p>Story <img src="{origin}/photo.jpg" alt=""></p>'
                f'<p style="background: url({origin}/bg.png)">Text</p>')
        pdf = render_pdf(html, f"@import url({origin}/more.css);", origin + "/")
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert Recorder.asked == []



def test_the_pdf_credits_wire_copy_to_its_agency_and_staff_copy_to_its_authors(
    client, make_article, make_section, make_source, make_author, tmp_path
):
    world = make_section("World")
    make_article("Cocoa talks resume in London", section=world, published_at=at(1),
                 sources=[make_source("Reuters")])
    make_article("Ports reopen after the storm", section=world, published_at=at(2),
                 authors=[make_author("Ann Lee")], sources=[make_source("BBC News")])
    build_edition(DAY)
    text = " ".join(" ".join(pdftotext(client.get(URL).content, tmp_path)).split())
    text = text.replace("\u2010 ", "")  # words the narrow columns hyphenated
    assert "By Reuters" in text and "By Ann Lee" in text
    assert "By BBC News" not in text  # a story that names its author credits the person


def test_the_pdf_prints_a_byline_written_out_by_the_desk_as_written(
    client, make_article, make_section, make_author, tmp_path
):
    story = make_article("Flood on the boulevard", section=make_section("City"),
                         published_at=at(1), authors=[make_author("Ann Lee")])
    story.byline_text = "Reader report by Maria Ivanova"
    story.save()
    build_edition(DAY)
    text = " ".join(" ".join(pdftotext(client.get(URL).content, tmp_path)).split())
    text = text.replace("\u2010 ", "")
    assert "Reader report by Maria Ivanova" in text
    assert "By Reader report" not in text and "Ann Lee" not in text


def test_the_pdf_carries_a_storys_correction_under_it(client, make_article, make_section,
                                                      tmp_path):
    world = make_section("World")
    story = make_article("Bridge reopens to traffic", section=world, published_at=at(1))
    make_article("Harbour dredging begins", section=world, published_at=at(2))
    build_edition(DAY)

    def text() -> str:
        read = " ".join(" ".join(pdftotext(client.get(URL).content, tmp_path)).split())
        return read.replace("\u2010 ", "")  # words the narrow columns hyphenated

    assert "Correction" not in text()
    ArticleNote.objects.create(article=story, kind=ArticleNote.Kind.CORRECTION,
                               text="An earlier version gave the wrong reopening date.")
    # A new correction changes the PDF: the kept one made without it is not served again.
    after = text()
    assert "Correction" in after
    assert "An earlier version gave the wrong reopening date." in after
    # Under its own story: after that headline, before the next one's.
    headline, correction = after.index("Bridge reopens"), after.index("An earlier version")
    other = after.index("Harbour dredging")
    assert headline < correction and (other < headline or other > correction)


def test_a_story_nested_a_thousand_quotes_deep_still_prints(client, make_section, make_article,
                                                             tmp_path):
    """WeasyPrint stopped with a RecursionError (the PDF a 500): a saved body is nested no
    deeper than the sanitiser allows, and one stored before is bounded when printed."""
    from dateline.newsroom.models import Article

    world = make_section("World", position=1)
    deep = "<blockquote>" * 1000 + "<p>Quoted at the bottom.</p>" + "</blockquote>" * 1000
    saved = make_article("Saved deep", section=world, is_top_story=True, published_at=at(1),
                         body=deep)
    assert saved.body.count("<blockquote>") == 32
    stored = make_article("Stored deep", section=world, published_at=at(2), body="<p>x</p>")
    Article.objects.filter(pk=stored.pk).update(body=deep)
    build_edition(DAY)
    response = client.get(URL)
    assert response.status_code == 200
    text = " ".join("\n".join(pdftotext(response.content, tmp_path)).split())
    assert "Saved deep" in text and "Stored deep" in text
    assert text.count("Quoted at the bottom.") == 2


def test_the_pdf_links_to_the_sites_address_whatever_host_asked(
    client, make_article, make_section, settings, tmp_path
):
    """Each port written in a Host header was once a PDF rendered anew (5 s of a core each):
    the PDF is a document kept and passed on, its links on DATELINE_SITE_URL."""
    settings.DATELINE_SITE_URL = "https://news.example.org"
    make_article("Parliament passes the budget", section=make_section("World"),
                 published_at=at(1))
    build_edition(DAY)
    answers = [client.get(URL, headers={"host": host}) for host in
               ("127.0.0.1:11", "127.0.0.1:12", "localhost:13", "testserver")]
    assert [a.status_code for a in answers] == [200] * 4
    assert len({a.content for a in answers}) == 1
    assert len(list(pdf_folder().glob("2024-12-11-*.pdf"))) == 1  # rendered once
    links = pdf_links(answers[0].content, tmp_path)
    assert links and all(u.startswith("https://news.example.org/articles/") for u in links)


def pdf_links(pdf: bytes, tmp_path) -> list[str]:
    """The URLs the PDF's links go to, as poppler's pdfinfo reads them."""
    path = tmp_path / "links.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdfinfo", "-url", str(path)], capture_output=True, text=True,
                            check=True, timeout=60).stdout.splitlines()[1:]
    return [line.split()[-1] for line in listed]


def test_a_reader_asking_while_another_pdf_renders_is_told_to_come_back(
    client, make_article, make_section
):
    make_article("Storm closes the ports", section=make_section("World"), published_at=at(1))
    build_edition(DAY)
    pdf_folder().mkdir(parents=True)
    with one_render_at_a_time(pdf_folder(), 0):  # another process renders a PDF
        busy = client.get(URL)
        assert busy.status_code == 503 and busy["Retry-After"] == "5"
        assert "try again in a few seconds" in busy.content.decode()
        assert "no-store" in busy["Cache-Control"]
        assert not list(pdf_folder().glob("*.pdf"))
        # Nor does a second render start beside it in this process.
        with pytest.raises(Busy), one_render_at_a_time(pdf_folder(), 0.3):
            pass
    assert client.get(URL).status_code == 200
