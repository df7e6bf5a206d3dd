"""The OpenAPI 3.1 description of the wire API; items are described by IPTC's own schema.

Every parameter says here what the views accept (tests/syndication/test_schemathesis.py
holds them to it): a value the schema refuses is a 400, and the schema's examples work.
"""

from typing import Any

from dateline.search.query import MAX_QUERY_CHARS

from ..formatters.ninjs import schema_id
from .params import (
    CHANGES_KEPT_DAYS,
    CHANGES_SETTLE_SECONDS,
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_LIMIT,
    MAX_PAGE,
    SORTS,
)
from .versions import CHOICES, FORMATTERS


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


ETAG = {"description": "A hash of the body; send it back in If-None-Match.",
        "schema": {"type": "string"}}
LIMIT = _query("limit", "Items per page.", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                            "default": DEFAULT_LIMIT})


def _items_answer(description: str, link: str, page: str) -> dict[str, Any]:
    """A 200 holding a page of items, with its ETag and its next link."""
    return {
        "description": description,
        "headers": {"ETag": ETAG,
                    "Link": {"description": f'{link}; rel="next"', "schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{page}"}}},
    }


def _items_page(next_type: str | list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/NinjsItem"}},
            "next": {"type": next_type, "format": "uri"},
        },
    }
VERSIONS_TEXT = (
    "Items come in the ninjs version the request names: `?version=` (1.5, 1.6, 2.1, 3.1, or "
    "1, 2, 3 for the newest of that generation), else the first profile of the Accept header "
    "that is served here, as in `Accept: application/json; profile=\"http://www.iptc.org/std/"
    "ninjs/ninjs-schema_1.6.json\"`, else the partner's default, set in the desk (3.1 unless "
    "changed). The answer's Content-Type names its profile. ninjs 1.x is what Superdesk's "
    "ninjs ingest reads."
)
VERSION = {"name": "version", "in": "query", "required": False,
           "description": "The ninjs version of the items; see the API's description.",
           "schema": {"type": "string", "enum": CHOICES}}
NOT_ACCEPTABLE = _error("The Accept header names only ninjs profiles not served here; the "
                        "error lists those that are.")
NOT_MODIFIED = {"description": "Not modified: the body has the ETag sent in If-None-Match.",
                "headers": {"ETag": ETAG}}
AUTH_ERRORS = {
    "401": {
        **_error("No API key, or one that is unknown or revoked."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "429": {
        **_error("The key's requests for this minute are used up."),
        "headers": {"Retry-After": {"description": "Seconds until the next minute begins.",
                                    "schema": {"type": "integer"}}},
    },
}
WEAK_ETAG = {"description": "A weak hash of the results (scores aside, which drift with the "
             "clock); send it back in If-None-Match.", "schema": {"type": "string"}}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"}}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dateline wire API",
            "version": "1.0.0",
            "description": "Live stories as IPTC ninjs items, for partner agencies. "
            "The list runs newest first; scheduled, embargoed, draft and withdrawn stories "
            "never appear in it. The changes feed says what changed since a time, oldest "
            "first: stories published or corrected, and stories withdrawn or deleted "
            "(pubStatus canceled), each once. " + VERSIONS_TEXT,
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"bearer": []}, {"apiKey": []}],
        "paths": {
            "/ninjs/": {
                "get": {
                    "operationId": "listItems",
                    "summary": "A page of live stories, newest first",
                    "parameters": [
                        _query("section", "A section's path; its subsections are included.",
                               {"type": "string", "examples": ["business/markets"]}),
                        _query("tag", "A tag as kind:slug (kind: person, place, organisation, "
                               "topic) or a slug of any kind.",
                               {"type": "string", "examples": ["place:usa"]}),
                        _query("since", "Stories published at or after this ISO 8601 time "
                               "(UTC when it has no offset; a day alone is its midnight).",
                               {"type": "string", "format": "date-time",
                                "examples": ["2024-05-01T09:30:00Z"]}),
                        _query("until", "Stories published before this ISO 8601 time.",
                               {"type": "string", "format": "date-time",
                                "examples": ["2030-01-01T00:00:00+02:00"]}),
                        LIMIT,
                        _query("cursor", "Opaque; copy it from the previous page's next link "
                               "(the same place always gives the same cursor).",
                               {"type": "string"}),
                        VERSION,
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": _items_answer("One page; 'next' is null on the last.",
                                             "<next page>", "ItemPage"),
                        "304": NOT_MODIFIED,
                        "400": _error("A parameter is malformed; the error says which."),
                        "406": NOT_ACCEPTABLE,
                        **AUTH_ERRORS,
                    },
                },
            },
            "/ninjs/changes": {
                "get": {
                    "operationId": "listChanges",
                    "summary": "What changed since a time, oldest first",
                    "description": "Every story published, saved again while live, brought "
                    "out by its time or its embargo's end (its whole item), or withdrawn or "
                    "deleted (an item with pubStatus canceled), once each, once "
                    f"{CHANGES_SETTLE_SECONDS} s old; a live story also when a correction or "
                    "update is added (edNote lists them), it is marked or no longer marked as "
                    "breaking news, its lead photo's words change or its tags are decided. "
                    "Each item a story sends again has a greater version than the last. "
                    "Give since, then poll the next link: "
                    f"every page has one. The feed reaches back {CHANGES_KEPT_DAYS} days.",
                    "parameters": [
                        _query("since", "Changes at or after this ISO 8601 time (UTC when it "
                               "has no offset); needed unless a cursor is given.",
                               {"type": "string", "format": "date-time"}),
                        _query("cursor", "Opaque; copy it from the previous answer's next "
                               "link.", {"type": "string"}),
                        LIMIT,
                        VERSION,
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": _items_answer("The next changes; 'next' is where to poll "
                                             "from.", "<next>", "ChangesPage"),
                        "304": NOT_MODIFIED,
                        "400": _error("No since or cursor, a malformed parameter, or a time "
                                      f"more than {CHANGES_KEPT_DAYS} days ago; the error says "
                                      "which."),
                        "406": NOT_ACCEPTABLE,
                        **AUTH_ERRORS,
                    },
                },
            },
            "/ninjs/{id}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "One live story",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": ID},
                        VERSION,
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": {
                            "description": "The story.",
                            "headers": {"ETag": ETAG},
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/NinjsItem"}
                            }},
                        },
                        "304": NOT_MODIFIED,
                        "400": _error("The version is not one served here."),
                        "404": _error("No live story has this id (or it is no whole "
                                      "number, or the story is held by an embargo)."),
                        "410": {
                            "description": "The story was withdrawn (a kill) or deleted "
                                           "after it reached the wire: its canceled item "
                                           "(pubStatus canceled), as the changes feed gave "
                                           "it, to find the copy and take it down.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/NinjsItem"}
                            }},
                        },
                        "406": NOT_ACCEPTABLE,
                        **AUTH_ERRORS,
                    },
                },
            },
            "/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search live stories (public: no key needed)",
                    "security": [],
                    "parameters": [
                        {**_query("q", 'Words, "phrases", prefix*, OR and -exclusion; at '
                                  "most 10 words, 3 of them ending in *.",
                                  {"type": "string", "minLength": 1, "pattern": r"\S",
                                   "maxLength": MAX_QUERY_CHARS, "examples": ["inflation"]}),
                         "required": True},
                        _query("section", "A section's id; its subsections are included.", ID),
                        _query("tag", "A tag's id.", ID),
                        _query("author", "An author's id.", ID),
                        _query("from", "Published on or after (YYYY-MM-DD).",
                               {"type": "string", "format": "date",
                                "examples": ["2024-05-01"]}),
                        _query("to", "Published on or before (YYYY-MM-DD), not before "
                               "'from'.", {"type": "string", "format": "date",
                                           "examples": ["2030-12-31"]}),
                        _query("sort", "newest for newest first; relevance otherwise.",
                               {"type": "string", "enum": list(SORTS)}),
                        _query("page", "Page of 20 results.",
                               {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
                        _query("until", "Only stories published at or before this moment "
                               "(ISO 8601; without an offset, UTC). Every page gives the "
                               "moment its walk stands at as `until`, and its `next` and "
                               "`previous` links carry it: follow them, and a story published "
                               "during the walk neither repeats a result nor hides one (but "
                               "see the README for a story that comes out with an earlier "
                               "time).",
                               # As /ninjs/'s since and until: schemathesis sent "" and
                               # "yesterday", which the schema allowed and the view refused.
                               {"type": "string", "format": "date-time",
                                "examples": ["2030-12-31T23:59:59Z"]}),
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": {"description": "Results with snippets; `more` is true when "
                                "`total` is a lower bound (and `pages` with it): follow `next` "
                                "while it is given, which it is while pages are full.",
                                "headers": {"ETag": WEAK_ETAG},
                                "content": {"application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchPage"}
                                }}},
                        "304": {"description": "Not modified: the same results as the ETag "
                                "sent in If-None-Match.", "headers": {"ETag": WEAK_ETAG}},
                        "400": _error("No words to look for, a malformed parameter, or a "
                                      "search past the limits; the error says which."),
                        "503": _error("The search took too long and was stopped; send a "
                                      "narrower one."),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A partner's API key, issued in the desk."},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
            "schemas": {
                # IPTC's own schema of each version served, newest first.
                "NinjsItem": {"anyOf": [{"$ref": schema_id(version)}
                                        for version in FORMATTERS]},
                "ItemPage": _items_page(next_type=["string", "null"]),
                "ChangesPage": _items_page(next_type="string"),
                "SearchPage": SEARCH_PAGE,
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"},
                                   "status": {"type": "integer"}},
                },
            },
        },
    }


SEARCH_RESULT = {
    "type": "object",
    "required": ["id", "url", "headline", "section", "published_at", "undated", "teaser",
                 "snippet_html", "score"],
    "properties": {
        "id": {"type": "integer"},
        "url": {"type": "string", "format": "uri"},
        "headline": {"type": "string"},
        "section": {"type": "object", "required": ["id", "path"],
                    "properties": {"id": {"type": "integer"}, "path": {"type": "string"}}},
        "published_at": {"type": "string", "format": "date-time"},
        "undated": {"type": "boolean", "description": (
            "The source gave no date: published_at is when the story reached the archive, "
            "not when it was news.")},
        "teaser": {"type": "string"},
        "snippet_html": {"type": "string"},
        "score": {"type": "number"},
    },
}
FACET = {
    "type": "array",
    "items": {"type": "object", "required": ["id", "name", "count"],
              "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                             "count": {"type": "integer", "minimum": 0}}},
}
SEARCH_PAGE = {
    "type": "object",
    "required": ["query", "total", "more", "page", "pages", "until", "next", "previous",
                 "results", "facets"],
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "more": {"type": "boolean"},
        "note": {"type": "string", "description": "Given when filters were applied to the "
                 "newest matches of the words only (more matched than are sifted)."},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "until": {"type": "string", "format": "date-time"},
        "next": {"type": ["string", "null"], "format": "uri"},
        "previous": {"type": ["string", "null"], "format": "uri"},
        "results": {"type": "array", "items": SEARCH_RESULT},
        "facets": {"type": "object", "properties": {name: FACET for name in
                                                    ("section", "tag", "author")}},
    },
}
