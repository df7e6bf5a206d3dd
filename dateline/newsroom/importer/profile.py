"""An import profile tells how one archive's codes become Dateline's sections, tags and names."""

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


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
    # Bylines for records that carry none, picked deterministically by record id.
    default_authors: tuple[str, ...] = ()
    # Source name -> the outlet's home page.
    source_urls: dict[str, str] = field(default_factory=dict)
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
        known = {"sections", "labels", "fallback", "authors", "sources", "timezone"}
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
            default_authors=tuple(data.get("authors", {}).get("default", ())),
            source_urls={str(k): str(v) for k, v in data.get("sources", {}).items()},
            timezone=str(data.get("timezone", "")),
            fingerprint=hashlib.sha256(raw).hexdigest()[:16],
        )

    def label_name(self, kind: str, code: str) -> str:
        if name := self.labels.get(kind, {}).get(code):
            return name
        if kind == "topic" and code in self.sections:
            return self.sections[code].replace("»", "/").split("/")[-1].strip()
        return code.replace("-", " ").replace("_", " ").title()
