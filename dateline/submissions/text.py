"""A reader's text as HTML: Markdown (raw HTML off) and then the newsroom's sanitiser.

The text is stored as written; this is the only way it becomes markup, for the desk's preview
and for the draft an editor accepts.
"""

from functools import cache

from dateline.newsroom.html import sanitize_body


@cache
def _markdown():
    # Made by the first report rendered: importing markdown-it took 36 ms of every process's
    # start. "js-default": CommonMark without raw HTML, with link validation (no javascript:).
    from markdown_it import MarkdownIt

    # Images off: a report's photos are uploaded, checked and re-encoded; a Markdown image
    # was a remote address the desk's mail, its pages and the accepted draft loaded, telling
    # the sender when and where the newsroom read it (a tracking pixel).
    return MarkdownIt("js-default", {"breaks": True}).disable("image")


# markdown-it reads, from each "[", ahead for the "]" that would end a link's text: a report
# of "[*" 24,500 times (or 24,500 "[" then as many "]") took 3 s to render, 8 s of the post,
# and 3 s of each opening on the desk. Past this many "[", those never closed and those
# nested deeper than MAX_NESTED are written escaped (a literal "[", as they showed anyway).
FEW_BRACKETS = 200
MAX_NESTED = 4  # "[a [b] c](…)" is 2; CommonMark allows no link within a link


def render_report(text: str) -> str:
    text = text.replace("\x00", "")
    if text.count("[") > FEW_BRACKETS:
        text = _literal_brackets(text)
    return sanitize_body(_markdown().render(text))


def _literal_brackets(text: str) -> str:
    """The text with each "[" that opens no link (never closed, or nested past MAX_NESTED)
    escaped, in one pass."""
    escaped, open_at, index = set(), [], 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2  # an escaped character: literal already
            continue
        if char == "[":
            if len(open_at) >= MAX_NESTED:
                escaped.add(index)
            else:
                open_at.append(index)
        elif char == "]" and open_at:
            open_at.pop()
        index += 1
    escaped.update(open_at)
    if not escaped:
        return text
    return "".join("\\[" if i in escaped else c for i, c in enumerate(text))
