"""A reader's text as HTML: Markdown (raw HTML off) and then the newsroom's sanitiser.

The text is stored as written; this is the only way it becomes markup, for the desk's preview
and for the draft an editor accepts.
"""

from markdown_it import MarkdownIt

from dateline.newsroom.html import sanitize_body

# "js-default": CommonMark without raw HTML, with link validation (no javascript: and co.).
_markdown = MarkdownIt("js-default", {"breaks": True})


def render_report(text: str) -> str:
    return sanitize_body(_markdown.render(text.replace("\x00", "")))
