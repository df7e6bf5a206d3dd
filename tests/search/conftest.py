"""Search tests run on whichever database the pass uses: SQLite (FTS5) or PostgreSQL."""

import pytest

from dateline.search.backends import SearchQuery, get_backend


@pytest.fixture
def search(db):
    """search("words", **filters) returns the ids found, in order, for a reader."""

    def run(text: str, **fields) -> list[int]:
        return [hit.article_id for hit in get_backend().search(SearchQuery(text, **fields)).hits]

    return run
