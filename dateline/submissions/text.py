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


def render_report(text: str) -> str:
    return sanitize_body(_markdown().render(text.replace("\x00", "")))
