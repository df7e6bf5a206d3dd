"""IPTC's ninjs 3.1 schema as a validator that needs no network (see tests/fixtures/ninjs)."""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ninjs"
GEOJSON_URI = "https://geojson.org/schema/GeoJSON.json"

# jsonschema checks "uri" and "date-time" only with optional packages; check them here.
FORMATS = FormatChecker()


@FORMATS.checks("uri", raises=ValueError)
def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and not any(c.isspace() for c in value)


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return "T" in value and datetime.fromisoformat(value).tzinfo is not None


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@cache
def validator() -> Draft202012Validator:
    schema = load("ninjs-schema_3.1.json")
    registry = Registry().with_resources([
        (GEOJSON_URI, Resource.from_contents(load("GeoJSON-schema.json"))),
        (schema["$id"].rstrip("#"), Resource.from_contents(schema)),
    ])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


def errors(item: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator().iter_errors(item)]
