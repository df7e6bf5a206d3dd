"""IPTC ninjs 1.6 and 1.5: one headline, body and byline, as Superdesk and older clients read.

ninjs 1.x has a single `headline`, `body_html` and `description_text`, a `byline`, entities
as {name, rel, code, scheme} in singular lists (`subject`, `place`, `person`,
`organisation`, `infosource`) and `renditions` as an object keyed by name. Superdesk's
NINJSFeedParser reads exactly these names (tests/syndication/test_superdesk.py).
"""

from typing import Any

from dateline.newsroom import medtop
from dateline.newsroom.models import Article, Tag

from ..pictures import LeadPhoto, lead_photo_of
from .ninjs import Ninjs31Formatter


class Ninjs16Formatter(Ninjs31Formatter):
    """A live article as a ninjs 1.6 text item."""

    name = "ninjs16"
    version = "1.6"
    FIELDS = (
        "uri", "$standard", "type", "representationtype", "version", "firstcreated",
        "versioncreated", "contentcreated", "pubstatus", "urgency", "language", "headline",
        "slugline", "description_text", "body_html", "byline", "located", "person",
        "organisation", "place", "subject", "infosource", "renditions", "associations",
        "copyrightholder", "copyrightnotice", "usageterms", "ednote",
    )

    _format_firstcreated = Ninjs31Formatter._format_firstCreated
    _format_versioncreated = Ninjs31Formatter._format_versionCreated
    _format_contentcreated = Ninjs31Formatter._format_contentCreated
    _format_pubstatus = Ninjs31Formatter._format_pubStatus
    _format_byline = Ninjs31Formatter._format_by
    _format_copyrightholder = Ninjs31Formatter._format_copyrightHolder
    _format_copyrightnotice = Ninjs31Formatter._format_copyrightNotice
    _format_usageterms = Ninjs31Formatter._format_usageTerms
    _format_ednote = Ninjs31Formatter._format_edNote

    def _format_representationtype(self, article: Article) -> str:
        return "complete"  # 1.x's word for 3.x's "full"

    def _format_headline(self, article: Article) -> str:
        return article.headline

    def _format_description_text(self, article: Article) -> str | None:
        return article.teaser or None

    def _format_body_html(self, article: Article) -> str:
        return self.body_html(article)

    def tag_code(self, tag: Tag) -> dict[str, str]:
        """A tag as a 1.x entity: its slug as code, within the scheme of its kind's pages."""
        url = self.absolute(tag.get_absolute_url())
        return {"name": tag.name, "rel": "about", "code": tag.slug,
                "scheme": url.rstrip("/").rsplit("/", 1)[0] + "/"}

    def _format_person(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_code(tag) for tag in self.tags(article, Tag.Kind.PERSON)]

    def _format_organisation(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_code(tag) for tag in self.tags(article, Tag.Kind.ORGANISATION)]

    def _format_place(self, article: Article) -> list[dict[str, str]]:
        return [self.tag_code(tag) for tag in self.tags(article, Tag.Kind.PLACE)]

    def _format_subject(self, article: Article) -> list[dict[str, str]]:
        subjects = []
        code = self.medtops.get(article.section_id)
        if code:
            subjects.append({
                "name": medtop.LABELS.get(code, article.section.name),
                "rel": "about",
                "code": f"medtop:{code}",
                "scheme": medtop.SCHEME_URI,
                "creator": "editor",
            })
        subjects.extend(self.tag_code(tag) for tag in self.tags(article, Tag.Kind.TOPIC))
        return subjects

    def _format_infosource(self, article: Article) -> list[dict[str, str]]:
        # 1.x sources have no uri; their code is the outlet's home page when it has one.
        return [{"name": s["name"], "rel": "source", **({"code": s["uri"]} if "uri" in s else {})}
                for s in self._format_infoSources(article)]

    def _format_renditions(self, article: Article) -> dict[str, dict[str, Any]]:
        # An object keyed by name (Superdesk reads it with .items()), not 3.x's list.
        return {"canonical": {"href": self.absolute(article.get_absolute_url()),
                              "mimetype": "text/html"}}

    def _format_associations(self, article: Article) -> dict[str, dict[str, Any]] | None:
        # An object keyed by name, like renditions; Superdesk reads each as a ninjs item.
        lead = lead_photo_of(article, self.absolute)
        pictures = {} if lead is None else {self.LEAD_PICTURE: self.picture(lead)}
        pictures.update({f"{self.BODY_PICTURE}-{n}": self.picture(photo) for n, (_, photo)
                         in enumerate(self.body_photos(article), 1)})
        return pictures or None

    def picture(self, lead: LeadPhoto) -> dict[str, Any]:
        """A photo of the story (lead or body) as a 1.x picture item: one headline, the
        caption as description_text, the alt text as body_text, the credit as byline,
        renditions keyed by name."""
        photo = lead.photo
        item = {
            "uri": lead.images.get("baseImage", lead.main).url,
            "type": "picture",
            "mimetype": lead.main.content_type,
            "representationtype": "complete",
            "headline": photo.title or None,
            "description_text": lead.caption or None,
            # 1.x has no alt text of its own; Superdesk reads a picture's body_text as it.
            "body_text": lead.alt or None,
            "byline": lead.credit or None,
            "copyrightnotice": photo.copyright_notice or None,
            "usageterms": photo.usage_terms or None,
            "renditions": {image.name: {
                "href": image.url, "mimetype": image.content_type, "width": image.width,
                "height": image.height, "sizeinbytes": image.size,
            } for image in lead.images.values()},
        }
        return {key: value for key, value in item.items() if value is not None}


class Ninjs15Formatter(Ninjs16Formatter):
    """A live article as a ninjs 1.5 item: 1.6 added only digitalsourcetype, unused here."""

    name = "ninjs15"
    version = "1.5"
