"""The OpenAPI 3.1 description of the wire API; items are described by IPTC's own schema."""

from typing import Any

from ..formatters.ninjs import SCHEMA_ID
from .params import DEFAULT_LIMIT, MAX_LIMIT


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
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"}}


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dateline wire API",
            "version": "1.0.0",
            "description": "Live stories as IPTC ninjs 3.1 items, for partner agencies. "
            "Newest first; scheduled, embargoed, draft and withdrawn stories never appear.",
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
                               {"type": "string", "examples": ["place:moscow"]}),
                        _query("since", "Stories published at or after this ISO 8601 time "
                               "(UTC when it has no offset).",
                               {"type": "string", "format": "date-time"}),
                        _query("until", "Stories published before this ISO 8601 time.",
                               {"type": "string", "format": "date-time"}),
                        _query("limit", "Items per page.",
                               {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                "default": DEFAULT_LIMIT}),
                        _query("cursor", "Opaque; copy it from the previous page's next link.",
                               {"type": "string"}),
                        IF_NONE_MATCH,
                    ],
                    "responses": {
                        "200": {
                            "description": "One page; 'next' is null on the last.",
                            "headers": {
                                "ETag": ETAG,
                                "Link": {"description": '<next page>; rel="next"',
                                         "schema": {"type": "string"}},
                            },
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/ItemPage"}
                            }},
                        },
                        "304": NOT_MODIFIED,
                        "400": _error("A parameter is malformed; the error says which."),
                        **AUTH_ERRORS,
                    },
                },
            },
            "/ninjs/{id}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "One live story",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True,
                         "schema": {"type": "integer"}},
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
                        "404": _error("No live story has this id."),
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
                        {**_query("q", 'Words, "phrases", prefix*, OR and -exclusion.',
                                  {"type": "string"}), "required": True},
                        _query("section", "A section's id; its subsections are included.",
                               {"type": "integer"}),
                        _query("tag", "A tag's id.", {"type": "integer"}),
                        _query("author", "An author's id.", {"type": "integer"}),
                        _query("from", "Published on or after (YYYY-MM-DD).",
                               {"type": "string", "format": "date"}),
                        _query("to", "Published on or before (YYYY-MM-DD).",
                               {"type": "string", "format": "date"}),
                        _query("sort", "newest for newest first; relevance otherwise.",
                               {"type": "string", "enum": ["relevance", "newest"]}),
                        _query("page", "Page of 20 results.",
                               {"type": "integer", "minimum": 1}),
                    ],
                    "responses": {
                        "200": {"description": "Results with snippets; `more` is true when "
                                "`total` is a lower bound.",
                                "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": _error("No words to look for."),
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
                "NinjsItem": {"$ref": SCHEMA_ID},
                "ItemPage": {
                    "type": "object",
                    "required": ["items", "next"],
                    "properties": {
                        "items": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/NinjsItem"}},
                        "next": {"type": ["string", "null"], "format": "uri"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"},
                                   "status": {"type": "integer"}},
                },
            },
        },
    }
