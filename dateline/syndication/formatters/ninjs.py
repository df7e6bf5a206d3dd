"""IPTC ninjs 3.1 (https://iptc.org/standards/ninjs/): one JSON object per story.

One `_format_<field>` method per ninjs property, called in `FIELDS` order; a method that
returns None or an empty list leaves its property out. Another ninjs version is a subclass
that adds, drops or overrides fields (ninjs2.py: 2.1; ninjs1.py: 1.5 and 1.6).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from dateline.intelligence.related import stored_related
from dateline.newsroom import credit, medtop
from dateline.newsroom.models import Article, ArticleNote, Tag

from ..pictures import LeadPhoto, lead_photo_of, prefetch_bodies, prefetch_leads
from .base import Formatter

SCHEMA_ID = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
# IPTC's urgency runs from 1 (most urgent) to 9; 5 is its "normal" (IIM 2:10).
BREAKING_URGENCY, NORMAL_URGENCY = 1, 5


def notes_by_story(articles: Sequence[Article]) -> dict[int, list[ArticleNote]]:
    """Each story's corrections and updates, oldest first, as its page lists them; one query."""
    found: dict[int, list[ArticleNote]] = {article.pk: [] for article in articles}
    for note in (ArticleNote.objects.filter(article_id__in=list(found))
                 .only("article_id", "kind", "text", "created_at").order_by("created_at", "pk")):
        found[note.article_id].append(note)
    return found


def schema_id(version: str) -> str:
    """The $id of IPTC's schema for a ninjs version, as Accept profiles name it."""
    return f"http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json#"


def timestamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC, to the second, as the schema's date-time format asks."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ninjs31Formatter(Formatter):
    """A live article as a ninjs 3.1 text item."""

    name = "ninjs31"
    version = "3.1"
    FIELDS = (
        "uri", "standard", "type", "representationType", "version", "firstCreated",
        "versionCreated", "contentCreated", "pubStatus", "urgency", "language", "headlines",
        "slugline", "descriptions", "bodies", "by", "located", "people", "organisations",
        "places", "subjects", "infoSources", "renditions", "associations", "copyrightHolder",
        "copyrightNotice", "usageTerms", "edNote",
    )
    # Superdesk's name for a story's lead picture, which its ingest shows as such.
    LEAD_PICTURE = "featuremedia"
    # Related stories are associations too (ninjs 2.1 and 3.1 have no "links"), named
    # "related-1", "related-2", … in the order the site shows them.
    RELATED = "related"
    # The photos placed in the body, "picture-1", "picture-2", … in reading order: each
    # also stands in the body's HTML, where the story's page shows it.
    BODY_PICTURE = "picture"

    # A withdrawn story's item (the changes feed): what a partner needs to find its copy and
    # take it down, under each version's names; the text itself is no longer given out.
    WITHDRAWN = frozenset({"uri", "standard", "type", "version", "versioncreated", "pubstatus",
                           "headlines", "headline", "slugline"})

    def __init__(self, base_url: str = "") -> None:
        super().__init__(base_url)
        self.medtops: dict[int, str] = {}
        # Sections already looked up, with or without a code: a section with none is not
        # asked again for each of its stories.
        self.looked_up: set[int] = set()
        self.related: dict[int, list[Article]] = {}
        self.notes: dict[int, list[ArticleNote]] = {}

    def prepare(self, articles: Sequence[Article]) -> None:
        self.medtops = medtop.codes_for(a.section for a in articles)
        self.looked_up = {a.section_id for a in articles}
        prefetch_leads(articles)
        prefetch_bodies(articles)
        self.related = stored_related(articles)
        self.notes = notes_by_story(articles)

    def format(self, article: Article) -> dict[str, Any]:
        if article.section_id not in self.looked_up:
            self.medtops.update(medtop.codes_for([article.section]))
            self.looked_up.add(article.section_id)
        item = {}
        for field in self.FIELDS:
            # ninjs 1.x names one property "$standard"; its method is _format_standard.
            value = getattr(self, f"_format_{field.lstrip('$')}")(article)
            if value is not None and value != []:
                item[field] = value
        return item

    def withdrawn(self, article: Article) -> dict[str, Any]:
        return {field: getattr(self, f"_format_{field.lstrip('$')}")(article)
                for field in self.FIELDS if field.lstrip("$").lower() in self.WITHDRAWN}

    def withheld(self, article: Article) -> dict[str, Any]:
        # IPTC's pubStatus for content not to be used until further notice (1.x: pubstatus).
        return {key: "withheld" if key.lower() == "pubstatus" else value
                for key, value in self.withdrawn(article).items()}

    def tags(self, article: Article, kind: str) -> list[Tag]:
        return [tag for tag in article.tags.all() if tag.kind == kind]

    def tag_entity(self, tag: Tag) -> dict[str, str]:
        return {"name": tag.name, "rel": "about", "uri": self.absolute(tag.get_absolute_url())}

    def _format_uri(self, article: Article) -> str:
        # The short URL names only the id: no edit changes it (the feeds' GUIDs are the same),
        # on the site's public origin whatever host the partner asked.
        return settings.DATELINE_SITE_URL + reverse("site:article-short",
                                                    kwargs={"pk": article.pk})

    def _format_standard(self, article: Article) -> dict[str, str]:
        return {"name": "ninjs", "version": self.version,
                "schema": schema_id(self.version).rstrip("#")}

    def _format_type(self, article: Article) -> str:
        return "text"

    def _format_representationType(self, article: Article) -> str:
        return "full"

    def _format_version(self, article: Article) -> str:
        return str(article.wire_version)

    def _format_firstCreated(self, article: Article) -> str | None:
        return timestamp(article.published_at)

    def _format_versionCreated(self, article: Article) -> str | None:
        # When this version reached partners (the save, note or sending again that made it:
        # wire_changed_at), never before the editors' "Updated" time; a withdrawn story's is
        # its withdrawal. Superdesk's parser keeps no `version`: its ingest takes an item
        # again only when `versioncreated` is later, and a typo fixed, a caption corrected or
        # a tag decided used to keep the date of the version before.
        if not article.is_live:
            return timestamp(article.modified_at)
        return timestamp(max(t for t in (article.last_changed_at, article.wire_changed_at) if t))

    def _format_contentCreated(self, article: Article) -> str | None:
        # An imported story was written before it reached the desk: its time is the wire's.
        written = article.created_at
        if written is None or (article.published_at and written > article.published_at):
            written = article.published_at
        return timestamp(written)

    def _format_pubStatus(self, article: Article) -> str:
        # Only live stories are formatted whole; a withdrawn one is named as such.
        return "usable" if article.is_live else "canceled"

    def _format_urgency(self, article: Article) -> int:
        return BREAKING_URGENCY if article.is_breaking else NORMAL_URGENCY

    def _format_language(self, article: Article) -> str:
        return "en"

    def _format_headlines(self, article: Article) -> list[dict[str, str]]:
        return [{"role": "main", "value": article.headline}]

    def _format_slugline(self, article: Article) -> str:
        return article.slug

    def _format_descriptions(self, article: Article) -> list[dict[str, str]]:
        if not article.teaser:
            return []
        return [{"role": "summary", "contentType": "text/plain", "value": article.teaser}]

    def _format_bodies(self, article: Article) -> list[dict[str, Any]]:
        return [{"role": "main", "contentType": "text/html", "value": self.body_html(article)}]

    def _format_by(self, article: Article) -> str | None:
        # Its authors, else its agencies ("Reuters"), else the house's own copy ("Dateline"):
        # never an invented name.
        return credit.byline_or_house(article)

    def _format_located(self, article: Article) -> str | None:
        return article.dateline or None

    def _format_people(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_entity(tag) for tag in self.tags(article, Tag.Kind.PERSON)]

    def _format_organisations(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_entity(tag) for tag in self.tags(article, Tag.Kind.ORGANISATION)]

    def _format_places(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_entity(tag) for tag in self.tags(article, Tag.Kind.PLACE)]

    def _format_subjects(self, article: Article) -> list[dict[str, str]]:
        subjects = []
        code = self.medtops.get(article.section_id)
        if code:
            subjects.append({
                "name": medtop.LABELS.get(code, article.section.name),
                "rel": "about",
                "uri": medtop.uri(code),
                "literal": f"medtop:{code}",
                "creator": "editor",
            })
        subjects.extend(self.tag_entity(tag) for tag in self.tags(article, Tag.Kind.TOPIC))
        return subjects

    def _format_infoSources(self, article: Article) -> list[dict[str, str]]:
        sources = []
        for source in article.sources.all():
            entry = {"name": source.name, "role": "source"}
            if source.url:
                entry["uri"] = source.url
            sources.append(entry)
        return sources

    def _format_renditions(self, article: Article) -> list[dict[str, str]]:
        # ninjs 3.1 has no "links"; the story's web page is its HTML rendition.
        return [{
            "name": "canonical",
            "href": self.absolute(article.get_absolute_url()),
            "contentType": "text/html",
            "title": article.headline,
        }]

    def _format_associations(self, article: Article) -> list[dict[str, Any]]:
        # No lead photo, or none with renditions yet: no picture association.
        lead = lead_photo_of(article, self.absolute)
        pictures = [] if lead is None else [{"name": self.LEAD_PICTURE, **self.picture(lead)}]
        pictures += [{"name": f"{self.BODY_PICTURE}-{n}", **self.picture(photo)}
                     for n, (_, photo) in enumerate(self.body_photos(article), 1)]
        return pictures + [{"name": f"{self.RELATED}-{n}", **self.related_item(story)}
                           for n, story in enumerate(self.related_of(article), start=1)]

    def related_of(self, article: Article) -> list[Article]:
        """The story's stored related list (dateline.intelligence), read in `prepare`."""
        if article.pk not in self.related:
            self.related.update(stored_related([article]))
        return self.related[article.pk]

    def related_item(self, story: Article) -> dict[str, Any]:
        """A related story as a reference: its URI, headline and time; the full item is
        the partner's to fetch."""
        return {"rel": self.RELATED, "uri": self._format_uri(story), "type": "text",
                "headlines": self._format_headlines(story),
                "firstCreated": timestamp(story.published_at)}

    def picture(self, lead: LeadPhoto) -> dict[str, Any]:
        """A photo of the story (lead or body) as a ninjs picture item: its JPEG renditions
        and its own words and rights (a photo's rights are its own, not the story's)."""
        photo = lead.photo
        descriptions = [{"role": role, "contentType": "text/plain", "value": value}
                        for role, value in (("caption", lead.caption), ("alt", lead.alt))
                        if value]
        item = {
            # The widest file as taken: the one URL that names this photo and no other.
            "uri": lead.images.get("baseImage", lead.main).url,
            "type": "picture",
            "representationType": "full",
            "headlines": [{"role": "main", "value": photo.title}] if photo.title else [],
            "descriptions": descriptions,
            "by": lead.by or lead.credit or None,
            "copyrightNotice": photo.copyright_notice or None,
            "usageTerms": photo.usage_terms or None,
            "renditions": [{
                "name": image.name, "href": image.url, "contentType": image.content_type,
                "width": image.width, "height": image.height, "sizeInBytes": image.size,
                "aspectRatio": image.aspect_ratio,
            } for image in lead.images.values()],
        }
        return {key: value for key, value in item.items() if value not in (None, [])}

    def _format_edNote(self, article: Article) -> str | None:
        """The story's corrections and updates, one a line, as readers see them under it:
        ninjs's note from the provider to the receiving desk, which decides what to print."""
        if article.pk not in self.notes:  # one story on its own
            self.notes.update(notes_by_story([article]))
        return "\n".join(
            f"{note.get_kind_display()}, {note.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC: "
            f"{note.text}" for note in self.notes[article.pk]) or None

    def _format_copyrightHolder(self, article: Article) -> str:
        return credit.rights(article).holder

    def _format_copyrightNotice(self, article: Article) -> str:
        return credit.rights(article).notice

    def _format_usageTerms(self, article: Article) -> str:
        return credit.rights(article).terms

