"""Whatever a reader types, the desk's preview and the published story run none of it.

Hostile HTML and Markdown, mixed with ordinary text, go the whole way: sent through the
reader's form, shown on the desk, accepted into a draft, published, and read back from the
public page, which is parsed as a browser would (html5lib) and searched for anything that
could run or restyle it. Control characters the form refuses go to the renderer's own test.
"""

import json
import os
import re
import unicodedata

import html5lib
import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.base.graphemes import clipped
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.html import as_meant
from dateline.submissions.forms import DIRECTION_OVERRIDES
from dateline.submissions.models import Submission
from dateline.submissions.moderation import one_line, reader_name
from dateline.submissions.text import render_report

pytestmark = pytest.mark.django_db

# --- What a hostile reader sends -----------------------------------------------------------


def mixed_case(word: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(word), max_size=len(word)).map(
        lambda flips: "".join(c.upper() if f else c for c, f in zip(word, flips, strict=True))
    )


def entity_spelled(text: str) -> st.SearchStrategy[str]:
    """Some characters written as decimal or hexadecimal references, padded or not."""
    def spell(c: str, how: int) -> str:
        return [c, f"&#{ord(c)};", f"&#x{ord(c):x};", f"&#000{ord(c)}", f"&#X{ord(c):X}"][how]

    return st.lists(st.integers(0, 4), min_size=len(text), max_size=len(text)).map(
        lambda hows: "".join(spell(c, h) for c, h in zip(text, hows, strict=True))
    )


CONTROL = st.sampled_from(["\t", "\n", "\r", "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b",
                           "\x7f", "\u2028", "\ufeff", "\u200b", "\u202e", " "])


@st.composite
def bad_scheme(draw) -> str:
    """javascript:, vbscript: or data:, in the spellings browsers have been fooled by."""
    word = draw(st.sampled_from(["javascript", "vbscript", "data"]))
    spelled = draw(st.one_of(mixed_case(word), entity_spelled(word)))
    if draw(st.booleans()):  # a tab, newline or control character inside the word
        at = draw(st.integers(1, len(spelled) - 1))
        spelled = spelled[:at] + draw(CONTROL) + spelled[at:]
    lead = draw(st.text(CONTROL, max_size=3))
    colon = draw(st.sampled_from([":", "&#58;", "&colon;", "&#x3a;", "%3A"]))
    payload = {"data": "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="}.get(
        word, "alert(document.cookie)")
    return lead + spelled + colon + payload


@st.composite
def link(draw) -> str:
    """A bad URL in every place HTML and Markdown take one."""
    url = draw(bad_scheme())
    place = draw(st.sampled_from([
        '<a href="{}">click</a>', "<a href='{}'>click</a>", "<a href={}>click", "[click]({})",
        '[click]({} "title")', "[click](<{}>)", "<{}>", "[click][ref]\n\n[ref]: {}\n",
        "![photo]({})", '<img src="{}">', '<iframe src="{}"></iframe>',
        '<form action="{}"><button formaction="{}">Go</button></form>',
        '<object data="{}"></object>', '<embed src="{}">', '<base href="{}">',
        '<meta http-equiv="refresh" content="0;url={}">', '<link rel="stylesheet" href="{}">',
        '<svg><a xlink:href="{}"><text>x</text></a></svg>', '<math href="{}">x</math>',
        '<a href="{}"', '<video poster="{}"></video>', '<table background="{}">',
    ]))
    return place.replace("{}", url)


@st.composite
def script(draw) -> str:
    tag = draw(mixed_case("script"))
    return draw(st.sampled_from([
        "<{t}>alert(1)</{t}>", "<{t} src=//evil.example/x.js></{t}>", "<{t}/x>alert(1)</{t}>",
        "<<{t}>alert(1);//<</{t}>", "<{t}\n>alert(1)</{t}\n>", "<scr<{t}>ipt>alert(1)</{t}>",
        "<!--<{t}>alert(1)</{t}>-->", "<![CDATA[<{t}>alert(1)</{t}>]]>",
        "</title><{t}>alert(1)</{t}>", "<textarea></textarea><{t}>alert(1)</{t}>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<{t}", "<{t} src=data:,alert(1)>", "`<{t}>`", "```html\n<{t}>alert(1)</{t}>\n```",
        "    <{t}>alert(1)</{t}>", "<div><p><{t}>alert(1)</{t}></p></div>",
    ])).replace("{t}", tag)


@st.composite
def handler(draw) -> str:
    name = draw(st.one_of(mixed_case("onerror"), mixed_case("onload"),
                          st.sampled_from(["onmouseover", "onfocus", "ontoggle", "onbegin"])))
    return draw(st.sampled_from([
        "<img src=x {h}=alert(1)>", "<svg {h}=alert(1)>", "<svg><g {h}=alert(1)/></svg>",
        "<body {h}=alert(1)>", '<a href="https://example.org" {h}="alert(1)">x</a>',
        "<details open {h}=alert(1)>", "<input autofocus {h}=alert(1)>",
        "<img src=x {h}=alert(1)//", '<p title="x" {h}=alert(1) style="color:red">p</p>',
        "<animate {h}=alert(1) attributeName=x dur=1s>", "<img/src/{h}=alert(1)>",
    ])).replace("{h}", name)


STYLE = st.sampled_from([
    "<style>body{display:none}</style>", '<p style="position:fixed;top:0">fake</p>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    '<span style="color:expression(alert(1))">x</span>', "<link rel=stylesheet href=//x>",
    "<font color=red>old</font>", '<table><tr><td style="width:9999px">x</td></tr></table>',
])
ORDINARY = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80),
    st.sampled_from([
        "The river rose overnight.", "**Bold** and _italic_ words.", "- a list\n- of things",
        "> a quote", "## A heading", "[a fair link](https://example.org/a?b=c&d=e)",
        "<https://example.org>", "mailto:desk@example.org", "1 < 2 && 3 > 2", "a & b",
    ]),
)
PIECE = st.one_of(link(), script(), handler(), STYLE, CONTROL, ORDINARY)


@st.composite
def hostile_text(draw) -> str:
    pieces = draw(st.lists(PIECE, min_size=1, max_size=8))
    joiners = draw(st.lists(st.sampled_from(["", " ", "\n", "\n\n"]), min_size=len(pieces),
                            max_size=len(pieces)))
    text = "".join(p + j for p, j in zip(pieces, joiners, strict=True))
    if draw(st.integers(0, 9)) == 0:  # now and then, a very long report
        text = (text * (40_000 // max(len(text), 1) + 1))[:40_000]
    return text


# --- The way through ---------------------------------------------------------------------


def acceptable(text: str, *, multiline: bool, limit: int, empty: str) -> str:
    """What the form takes of a hostile text: no control characters (but line breaks and tabs
    in the report) nor overrides of the text's direction, no U+FFFD, within its length; the
    form's own refusals are its tests'."""
    allowed = "\n\r\t" if multiline else ""
    kept = "".join(c for c in text if c != "\ufffd" and c not in DIRECTION_OVERRIDES
                   and (unicodedata.category(c) != "Cc" or c in allowed))
    kept = kept[:limit] if multiline else kept.strip()[:limit].strip()
    return kept if kept.strip() else empty


def send_report(headline: str, name: str, text: str) -> Submission:
    """Send the report through the reader's form, and return it as stored."""
    last = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = Client().post(reverse("submissions:new"), {
        "name": acceptable(name, multiline=False, limit=200, empty="Anonymous"),
        # An address of its own: the same words twice from one address are one report.
        "email": f"reader{last + 1}@example.org",
        "headline": acceptable(headline, multiline=False, limit=300, empty="Untitled"),
        # A last paragraph every report shares, for the search page to find them all by.
        "text": acceptable(text, multiline=True, limit=49_000, empty="Nothing.")
        + "\n\nA reader report.",
        "consent": "on", "website": "", "story": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    return Submission.objects.get(pk__gt=last)


def pages_of(editor_client: Client, editor, section, report: Submission) -> dict[str, str]:
    """The report on the desk; then, accepted and published, its page, section and search."""
    # Nothing committed in these tests, so nothing is invalidated: start with no stored pages.
    for alias in ("default", "pages"):
        caches[alias].clear()
    desk = editor_client.get(f"/desk/submissions/submission/{report.pk}/change/")
    assert desk.status_code == 200
    accepted = editor_client.post(
        f"/desk/submissions/submission/{report.pk}/decide/accept/", {"section": section.pk})
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    report.refresh_from_db()
    article = TRANSITIONS["publish"].execute(editor, report.article)
    reader = Client()
    pages = {"desk": desk, "public": reader.get(article.get_absolute_url()),
             # Lists show the headlines and teasers of every reader report so far.
             "section": reader.get(section.get_absolute_url()),
             # "report" ends every report, so the snippets show the readers' text.
             "search": reader.get("/search/", {"q": "report", "sort": "newest"})}
    for name, response in pages.items():
        assert response.status_code == 200, name
    for name in ("section", "search"):  # newest first: this story is listed
        assert article.get_absolute_url() in pages[name].content.decode(), name
    return {name: response.content.decode() for name, response in pages.items()}


# --- What must not be there --------------------------------------------------------------

FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "style", "frame", "frameset",
                      "applet", "base", "form", "input", "button", "textarea", "svg", "math",
                      "link", "meta"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "cite", "srcset", "xlink:href", "content", "codebase", "longdesc"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
SAFE_SCHEMES = {"http", "https", "mailto"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f"
                        r"\u3000\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def parse(page: str):
    return html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)


def local(name) -> str:
    return name.rsplit("}", 1)[-1].lower() if isinstance(name, str) else ""


def attribute_name(name: str) -> str:
    """html5lib names foreign attributes by namespace: {...xlink}href is xlink:href."""
    if name.startswith("{http://www.w3.org/1999/xlink}"):
        return "xlink:" + local(name)
    return local(name)


def elements(root):
    """Every element (comments and the like have no string tag), with its local name."""
    return [(local(e.tag), e) for e in root.iter() if isinstance(e.tag, str)]


def url_of(value: str) -> str:
    """A URL as a browser reads its scheme: blanks and controls dropped (more than browsers
    drop). The parser has resolved the markup's character references, as a browser's does;
    resolving them again would read `&amp;#106;` as a "j" no browser sees."""
    return _INVISIBLE.sub("", value).lower()


def scripts(root) -> list[tuple[str, str]]:
    found = []
    for name, e in elements(root):
        if name == "script":
            found.append((e.get("src", ""), e.get("type", "")))
            if e.get("type") == "application/ld+json":
                json.loads(e.text or "")  # a data block, and only data
            else:
                assert (e.get("src") or "").startswith("/static/"), e.attrib
                assert not (e.text or "").strip(), "inline script"
    return found


def assert_nothing_runs(root, baseline: dict, story_xpath: str | None = None) -> None:
    """`root`: a page as parse() gives it (parsed once per page: html5lib is most of the time
    an example takes)."""
    # The page's own scripts, no more: the same as on a page made from a harmless report.
    assert scripts(root) == baseline["scripts"]
    counts = {}
    for name, e in elements(root):
        counts[name] = counts.get(name, 0) + 1
        for attribute, value in e.attrib.items():
            attribute = attribute_name(attribute)
            assert not attribute.startswith("on"), (name, attribute, value)
            if attribute in URL_ATTRIBUTES:
                assert not url_of(value).startswith(BAD_SCHEMES), (name, attribute, value)
    # Elements that could run, frame or restyle: no more of them than the page has anyway.
    for name in FORBIDDEN_ELEMENTS:
        assert counts.get(name, 0) == baseline["counts"].get(name, 0), name
    if story_xpath is None:
        return
    (story,) = root.findall(story_xpath)
    # The site's own in-story ad slot (dateline.ads), placed between paragraphs: exactly its
    # markup, as a child of the body, is the page's, not the reader's (the sanitiser keeps
    # neither class nor data attributes of a reader's).
    ours = {id(d) for slot in story if slot.get("data-ad-slot") == "in-story"
            and slot.get("class") == "ad-slot ad-slot-in-story" for d in slot.iter()}
    for name, e in elements(story):
        if e is story or id(e) in ours:
            continue
        assert name not in FORBIDDEN_ELEMENTS, name
        assert "style" not in e.attrib and "class" not in e.attrib, (name, e.attrib)
        for attribute in ("href", "src", "cite"):
            if attribute in e.attrib:
                scheme = _SCHEME.match(url_of(e.get(attribute)))
                assert scheme is None or scheme.group(1) in SAFE_SCHEMES, e.attrib


def fingerprint(page: str) -> dict:
    root = parse(page)
    counts = {}
    for name, _ in elements(root):
        counts[name] = counts.get(name, 0) + 1
    return {"scripts": scripts(root), "counts": counts}


# Where the reader's own text is shown as markup; the rest of each page shows it as text.
STORY = {"desk": ".//div[@class='report-body']", "public": ".//div[@class='story-body']"}


@pytest.fixture
def newsroom(make_user, make_section, settings):
    """An editor logged in to the desk, a section, and how pages of a harmless report look."""
    # One sender sends every example's report; the hourly limits are the form's tests' affair.
    settings.DATELINE_SUBMISSION_REPORTS_PER_SENDER = 10_000
    settings.DATELINE_SUBMISSION_REPORTS_PER_ADDRESS = 10_000
    settings.DATELINE_SUBMISSION_ATTEMPTS_PER_SENDER = 10_000
    editor = make_user("Editor")
    client = Client()
    client.force_login(editor)
    section = make_section("Readers")
    harmless = send_report("Harmless report", "Ana", "Just **news**, and [a link](https://x.org).")
    pages = pages_of(client, editor, section, harmless)
    return {"editor": editor, "client": client, "section": section,
            "baseline": {name: fingerprint(page) for name, page in pages.items()}}


# The pages are the same markup whichever engine stored the report; what the engine adds is
# storing the text (PostgreSQL refuses a NUL, SQLite keeps one), which the explicit examples
# below put to it every run. So PostgreSQL's run generates a third as many (14 s of its
# minutes, 2026-12-03), SQLite's the full 60.
HOSTILE_EXAMPLES = 20 if os.environ.get("DATELINE_DB_ENGINE") == "postgresql" else 60


@settings(max_examples=HOSTILE_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(text=hostile_text(), headline=hostile_text(), name=PIECE)
@example(text="<script>alert(1)</script>[x](JaVaScRiPt:alert(1)) <javascript:alert(1)>",
         headline="</script><script>alert(1)</script>", name="<img src=x onerror=alert(1)>")
@example(text='<a href="&#106;avascript:alert(1)">x</a> [y](java\tscript:alert(1))\x00\x1b',
         headline="<!--", name="</em><svg onload=alert(1)>")
# A compatibility ideograph and a decomposed accent, which composing changes.
@example(text="Report.", headline="\uf9c4 Cafe\u0301", name="Jose\u0301 \uf9c4")
def test_no_reader_text_runs_on_the_desk_or_the_published_page(newsroom, text, headline, name):
    report = send_report(headline, name, text)
    pages = pages_of(newsroom["client"], newsroom["editor"], newsroom["section"], report)
    roots = {page_name: parse(page) for page_name, page in pages.items()}
    for page_name, root in roots.items():
        assert_nothing_runs(root, newsroom["baseline"][page_name], STORY.get(page_name))
    # The headline and the credit are text, never markup.
    root = roots["public"]
    (h1,) = root.findall(".//h1[@id='headline']")
    assert len(h1) == 0
    # As written, composed (NFC) as every stored headline and byline is (html.as_meant): a
    # CJK compatibility ideograph shows as its unified twin, which hypothesis once typed.
    assert h1.text == stored_line(
        clipped(one_line(report.headline) or f"Reader report {report.reference}", 300))
    (credit,) = root.findall(".//header[@class='story-header']/p[@class='byline']")
    assert len(credit) == 0
    assert credit.text == stored_line(clipped(f"Reader report by {reader_name(report)}", 200))


def stored_line(text: str) -> str:
    return " ".join(as_meant(text).split())


@pytest.mark.one_engine  # the renderer alone: no database
@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_text())
@example(text="<scr\x00ipt>alert(1)</script> [x](java\x00script:alert(1)) <j\x00avascript:x>")
def test_the_rendered_report_keeps_only_safe_markup(text):
    """The renderer alone, faster and with many more examples (NUL characters included)."""
    body = parse(f"<!DOCTYPE html><html><body><div class='x'>{render_report(text)}</div>")
    (story,) = body.findall(".//div[@class='x']")
    for name, e in elements(story):
        if e is story:
            continue
        assert name not in FORBIDDEN_ELEMENTS, name
        for attribute, value in e.attrib.items():
            attribute = attribute_name(attribute)
            assert not attribute.startswith("on") and attribute != "style", (name, attribute)
            if attribute in URL_ATTRIBUTES:
                scheme = _SCHEME.match(url_of(value))
                assert scheme is None or scheme.group(1) in SAFE_SCHEMES, (name, value)


def test_a_markdown_image_loads_nothing_from_anywhere():
    """`![x](http://sender.example/pixel.png)` put a remote image in the desk's mail, the
    report's page and the accepted draft: a tracking pixel telling the sender when and where
    the newsroom read the report. The link text and address stay readable as a link."""
    from dateline.submissions.text import render_report

    shown = render_report("Seen at noon ![track](http://sender.example/pixel.png?who=desk)")
    assert "<img" not in shown
    assert 'href="http://sender.example/pixel.png?who=desk"' in shown


@pytest.mark.one_engine  # the renderer alone: no database
@pytest.mark.parametrize("text", ["[*" * 24_500, "[" * 24_500 + "]" * 24_500,
                                  "*[" * 24_500, "![" * 24_500])
def test_brackets_that_open_no_link_are_not_each_read_to_the_end(monkeypatch, text):
    """markdown-it reads ahead from each "[" for the "]" ending a link's text: "[*" 24,500
    times took 3 s a render (8 s of the post, 3 s of each opening on the desk). How far it
    reads is counted here (characters looked at), not timed."""
    import markdown_it.helpers

    looked = []
    real = markdown_it.helpers.parseLinkLabel

    def counted(state, start, *args):
        end = real(state, start, *args)
        looked.append((end if end >= 0 else state.posMax) - start)
        return end

    monkeypatch.setattr(markdown_it.helpers, "parseLinkLabel", counted)
    html = render_report(text)
    assert sum(looked) < 20 * len(text)  # a few passes over the text, not one per bracket
    assert html.count("[") == text.count("[")  # each still shown, as written


@pytest.mark.one_engine
def test_links_within_many_brackets_still_render():
    text = "See [the council's [draft] budget](https://example.org/budget) and [x]. " * 150
    html = render_report(text)
    assert html.count('<a href="https://example.org/budget"') == 150
    assert "the council's [draft] budget</a>" in html
