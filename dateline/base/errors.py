"""A failure in one log line: what a driver or a store said, without its traceback."""


def in_words(error: BaseException) -> str:
    """The error's own words, their first line (psycopg and redis add hints below), else its
    type's name."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
