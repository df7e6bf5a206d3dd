"""An import profile tells how one archive's codes become Dateline's sections, tags and names."""

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .headlines import CASES


@dataclass(frozen=True)
class ImportProfile:
    # Record section value (e.g. a Reuters topic code) -> section path ("Business/Commodities").
    sections: dict[str, str] = field(default_factory=dict)
    # Tag kind -> label code -> display name ("usa" -> "USA"); unlisted codes are title-cased.
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Records with no section go under this section's child named after their first place...
    place_section: str = ""
    # ...or, with no place either, here.
    default_section: str = "News"
    # Source name -> the outlet's home page.
    source_urls: dict[str, str] = field(default_factory=dict)
    # Source name -> its rights ({"rights_holder": ..., "copyright_notice": ..., "usage_terms":
    # ...}), for an agency whose copy the archive is; set on the source at every import.
    source_rights: dict[str, dict[str, str]] = field(default_factory=dict)
    # "sentence" or "title": how all-capital headlines are set; empty leaves them as sent.
    headline_case: str = ""
    # House forms of words the archive's bodies cannot teach ("qtr"), see importer.headlines.
    headline_forms: tuple[str, ...] = ()
    # Zone for timestamps without an offset; empty means the site's TIME_ZONE.
    timezone: str = ""
    fingerprint: str = ""

    @classmethod
    def load(cls, path: str | Path) -> "ImportProfile":
        raw = Path(path).read_bytes()
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ImproperlyConfigured(f"Import profile {path} is not valid TOML: {exc}") from exc
        if "authors" in data:
            raise ImproperlyConfigured(
                f"Import profile {path} has an [authors] table, but a profile may not invent "
                "bylines: remove it. A record that names no author is credited to its source "
                "(\"Reuters\"); staff bylines come only from the record's own 'authors'."
            )
        known = {"sections", "labels", "fallback", "sources", "headlines", "timezone"}
        if unknown := set(data) - known:
            raise ImproperlyConfigured(
                f"Import profile {path} has unknown tables {sorted(unknown)}; "
                f"expected some of {sorted(known)}."
            )
        fallback = data.get("fallback", {})
        return cls(
            sections={str(k): str(v) for k, v in data.get("sections", {}).items()},
            labels={
                kind: {str(k): str(v) for k, v in names.items()}
                for kind, names in data.get("labels", {}).items()
            },
            place_section=str(fallback.get("place_section", "")),
            default_section=str(fallback.get("default_section", "News")),
            **_sources(path, data.get("sources", {})),
            **_headlines(path, data.get("headlines", {})),
            timezone=str(data.get("timezone", "")),
            fingerprint=hashlib.sha256(raw).hexdigest()[:16],
        )

    def label_name(self, kind: str, code: str) -> str:
        if name := self.labels.get(kind, {}).get(code):
            return name
        if kind == "topic" and code in self.sections:
            return self.sections[code].replace("»", "/").split("/")[-1].strip()
        return code.replace("-", " ").replace("_", " ").title()


RIGHTS_KEYS = ("rights_holder", "copyright_notice", "usage_terms")


def _sources(path, table: dict) -> dict:
    """`Name = "https://..."`, or `[sources.Name]` with `url` and the source's rights."""
    urls, rights = {}, {}
    for name, value in table.items():
        if isinstance(value, str):
            urls[str(name)] = value
            continue
        if not isinstance(value, dict) or set(value) - {"url", *RIGHTS_KEYS}:
            raise ImproperlyConfigured(
                f"Import profile {path}: source {name!r} must be a URL or a table of url, "
                f"{', '.join(RIGHTS_KEYS)}."
            )
        if "url" in value:
            urls[str(name)] = str(value["url"])
        if declared := {k: str(value[k]) for k in RIGHTS_KEYS if k in value}:
            rights[str(name)] = declared
    return {"source_urls": urls, "source_rights": rights}


def _headlines(path, table: dict) -> dict:
    """`[headlines] case = "sentence"` (or "title"), `forms = ["qtr", ...]`."""
    case = str(table.get("case", ""))
    if case and case not in CASES:
        raise ImproperlyConfigured(
            f"Import profile {path}: [headlines] case must be one of {', '.join(CASES)}, "
            f"not {case!r}."
        )
    forms = table.get("forms", [])
    if not isinstance(forms, list) or not all(isinstance(f, str) and f for f in forms):
        raise ImproperlyConfigured(
            f"Import profile {path}: [headlines] forms must be a list of words, e.g. [\"qtr\"]."
        )
    return {"headline_case": case, "headline_forms": tuple(forms)}
