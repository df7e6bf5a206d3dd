"""Every template of every app, read as Django reads it."""

import re
from pathlib import Path

import dateline

# Django's {# #} comment ends on its own line: one running over lines is printed on the page
# (the story editor showed a paragraph of "{# The form's default button ... #}" to editors).
OPENED_NOT_CLOSED = re.compile(r"\{#(?![^\n]*#\})")


def test_no_template_comment_runs_over_lines():
    templates = sorted(Path(dateline.__file__).parent.rglob("templates/**/*.*"))
    assert len(templates) > 50
    shown = [f"{path.relative_to(Path(dateline.__file__).parent)}:{n}"
             for path in templates if path.suffix in (".html", ".txt", ".xml")
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if OPENED_NOT_CLOSED.search(line)]
    assert shown == []
