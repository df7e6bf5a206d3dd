"""IPTC ninjs 2.1: the 3.x item's content under the 2.x names (all lower case).

ninjs 3.0 renamed 2.x's properties to camelCase ("firstcreated" -> "firstCreated",
"contenttype" -> "contentType") and gave renditions a title; the values are the same.
"""

from typing import Any

from dateline.newsroom.models import Article

from ..pictures import LeadPhoto
from .ninjs import Ninjs31Formatter


class Ninjs21Formatter(Ninjs31Formatter):
    """A live article as a ninjs 2.1 text item."""

    name = "ninjs21"
    version = "2.1"
    FIELDS = (
        "uri", "standard", "type", "representationtype", "version", "firstcreated",
        "versioncreated", "contentcreated", "pubstatus", "urgency", "language", "headlines",
        "slugline", "descriptions", "bodies", "by", "located", "people", "organisations",
        "places", "subjects", "infosources", "renditions", "associations", "copyrightholder",
        "copyrightnotice", "usageterms", "ednote",
    )

    _format_representationtype = Ninjs31Formatter._format_representationType
    _format_firstcreated = Ninjs31Formatter._format_firstCreated
    _format_versioncreated = Ninjs31Formatter._format_versionCreated
    _format_contentcreated = Ninjs31Formatter._format_contentCreated
    _format_pubstatus = Ninjs31Formatter._format_pubStatus
    _format_infosources = Ninjs31Formatter._format_infoSources
    _format_copyrightholder = Ninjs31Formatter._format_copyrightHolder
    _format_copyrightnotice = Ninjs31Formatter._format_copyrightNotice
    _format_usageterms = Ninjs31Formatter._format_usageTerms
    _format_ednote = Ninjs31Formatter._format_edNote

    def _format_descriptions(self, article: Article) -> list[dict[str, str]]:
        return [lower_content_type(d) for d in super()._format_descriptions(article)]

    def _format_bodies(self, article: Article) -> list[dict[str, Any]]:
        return [lower_content_type(b) for b in super()._format_bodies(article)]

    def _format_renditions(self, article: Article) -> list[dict[str, str]]:
        return [{"name": "canonical", "href": self.absolute(article.get_absolute_url()),
                 "contenttype": "text/html"}]

    def related_item(self, story: Article) -> dict[str, Any]:
        """3.1's reference under 2.x's names; a 2.x association has no "rel"."""
        item = super().related_item(story)
        del item["rel"]
        item["firstcreated"] = item.pop("firstCreated")
        return item

    def picture(self, lead: LeadPhoto) -> dict[str, Any]:
        """3.1's picture under 2.x's names; 2.x renditions have no aspect ratio."""
        item = super().picture(lead)
        for old, new in (("representationType", "representationtype"),
                         ("copyrightNotice", "copyrightnotice"), ("usageTerms", "usageterms")):
            if old in item:
                item[new] = item.pop(old)
        item["descriptions"] = [lower_content_type(d) for d in item.get("descriptions", [])]
        item["renditions"] = [
            {("sizeinbytes" if key == "sizeInBytes" else key): value
             for key, value in lower_content_type(rendition).items() if key != "aspectRatio"}
            for rendition in item["renditions"]]
        return {key: value for key, value in item.items() if value != []}


def lower_content_type(entry: dict[str, Any]) -> dict[str, Any]:
    return {("contenttype" if key == "contentType" else key): value
            for key, value in entry.items()}
