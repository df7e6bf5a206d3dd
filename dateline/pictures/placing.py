"""Where a story's body photos go: after the paragraph each names, for every face that prints
a body (the article page, the wire's bodies, full-content feeds), so that all put them in the
same places."""

from html.parser import HTMLParser


class _Paragraphs(HTMLParser):
    """Where each top-level paragraph of a story's body ends, as offsets into the text."""

    CONTAINERS = {"blockquote", "ul", "ol", "table", "figure", "div", "aside", "section",
                  "details", "li", "dl"}

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text, self.depth, self.ends = text, 0, []
        self.line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def handle_starttag(self, tag: str, attrs) -> None:
        self.depth += tag in self.CONTAINERS

    def handle_endtag(self, tag: str) -> None:
        if tag in self.CONTAINERS:
            self.depth = max(self.depth - 1, 0)
        elif tag == "p" and self.depth == 0:
            line, column = self.getpos()
            start = self.line_starts[line - 1] + column
            self.ends.append(self.text.index(">", start) + 1)


def paragraph_ends(body: str) -> list[int]:
    parser = _Paragraphs(body)
    parser.feed(body)
    parser.close()
    return parser.ends


def placed(body: str, figures: list[tuple[int, str]]) -> str:
    """The body (sanitised on save) with each (after_paragraph, markup) after its paragraph;
    past the last one, at the end. `figures` are in reading order."""
    if not figures:
        return body
    ends = paragraph_ends(body)
    pieces, done = [], 0
    for after, markup in figures:
        count = min(after, len(ends))
        at = max(ends[count - 1] if count else 0, done)
        pieces += [body[done:at], markup]
        done = at
    pieces.append(body[done:])
    return "".join(pieces)
