"""Text a desk form received as bytes that were not UTF-8.

Django reads a form leniently: such bytes arrive as U+FFFD, and were stored and published
("Bad" and two replacement marks, on the page and the wire), where the reader's form refuses
them. One the text already held (a wire story's) is its editor's to keep or mend.
"""

MARK = "\ufffd"
REFUSAL = ("Some characters could not be read (they show as \ufffd): they were not sent as "
           "UTF-8. Type them again, then save.")


def newly_unreadable(value: object, before: str | None = "") -> bool:
    """Whether `value` holds a U+FFFD that the text it replaces (`before`) did not."""
    return isinstance(value, str) and MARK in value and MARK not in (before or "")
