"""IPTC's ninjs schemas as validators that need no network (3.1 in tests/fixtures/ninjs; 1.5,
1.6 and 2.1 from ../shared/schemas/ninjs, IPTC's repository as published)."""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import FormatChecker, validators
from referencing import Registry, Resource

from tests.conftest import require_shared

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ninjs"
GEOJSON_URI = "https://geojson.org/schema/GeoJSON.json"
SHARED_NINJS = "schemas/ninjs"

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


def load(name: str | Path) -> dict:
    return json.loads((FIXTURES / name).read_text())


def schema(version: str) -> dict:
    """IPTC's schema for this ninjs version (3.1 from the fixtures, the others from shared)."""
    if version == "3.1":
        return load("ninjs-schema_3.1.json")
    folder = require_shared(f"{SHARED_NINJS}/specification")
    return json.loads((folder / f"ninjs-schema_{version}.json").read_text())


def suite(version: str) -> Path:
    """IPTC's validation samples for a version: should_pass/ and should_fail/."""
    if version == "3.1":
        return FIXTURES / "test_suite_3.1"
    return require_shared(f"{SHARED_NINJS}/validation/test_suite/{version}")


@cache
def validator(version: str = "3.1"):
    """A validator of the schema's own draft (1.x: draft-07; 2.x, 3.x: 2020-12)."""
    item_schema = schema(version)
    registry = Registry().with_resources([
        (GEOJSON_URI, Resource.from_contents(load("GeoJSON-schema.json"))),
        (item_schema["$id"].rstrip("#"), Resource.from_contents(item_schema)),
    ])
    cls = validators.validator_for(item_schema)
    cls.check_schema(item_schema)
    return cls(item_schema, registry=registry, format_checker=FORMATS)


def errors(item: dict, version: str = "3.1") -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(version).iter_errors(item)]
