"""The values a desk page's form would post as the browser shows it: every input, textarea and
select of the form that holds `marker` (a field's name), read from the page's HTML."""

from html.parser import HTMLParser


class _Form(HTMLParser):
    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker, self.forms, self.current = marker, [], None
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind not in {"submit", "button", "file", "image"}:
                self.current.append([attrs["name"], attrs.get("value", "on" if kind in {
                    "checkbox", "radio"} else "")])
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]
            self.current.append(self.textarea)
        elif tag == "select" and attrs.get("name"):
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.current.append([self.select, attrs.get("value", "")])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea is not None:
            # A textarea's first newline belongs to the markup, as browsers read it.
            self.textarea[1] += data[1:] if not self.textarea[1] and data.startswith("\n") \
                else data


def form_values(html: str, marker: str) -> dict[str, list[str]]:
    parser = _Form(marker)
    parser.feed(html)
    for form in parser.forms:
        if any(name == marker for name, _ in form):
            values: dict[str, list[str]] = {}
            for name, value in form:
                values.setdefault(name, []).append(value)
            return values
    raise AssertionError(f"no form with a field named {marker!r} on the page")
