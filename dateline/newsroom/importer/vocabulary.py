"""The sections, tags, sources and authors an import names, found or created once each."""

from django.utils.text import slugify

from ..models import Author, Section, Source, Tag
from ..models.section import DISPLAY_SEPARATOR, PATH_SEPARATOR
from .profile import ImportProfile
from .records import ArticleRecord


class Vocabulary:
    """Sections, tags, sources and authors by key, created on first use and then remembered."""

    def __init__(self, profile: ImportProfile) -> None:
        self.profile = profile
        self.sections = {s.path: s for s in Section.objects.all()}
        self.tags = {(kind, slug): pk for kind, slug, pk in
                     Tag.objects.values_list("kind", "slug", "pk")}
        self.sources = {name: pk for name, pk in Source.objects.values_list("name", "pk")}
        self.authors = {slug: pk for slug, pk in Author.objects.values_list("slug", "pk")}

    def section_for(self, record: ArticleRecord) -> Section:
        value = record.section
        if value:
            path = self.profile.sections.get(value, value)
        elif record.places and self.profile.place_section:
            place = self.profile.label_name("place", record.places[0])
            path = f"{self.profile.place_section}/{place}"
        else:
            path = self.profile.default_section
        names = [n.strip() for n in path.replace(DISPLAY_SEPARATOR.strip(), "/").split("/")]
        return self._section_chain([n for n in names if n] or ["News"])

    def _section_chain(self, names: list[str]) -> Section:
        parent = None
        for name in names:
            slug = slugify(name, allow_unicode=True) or "section"
            path = f"{parent.path}{PATH_SEPARATOR}{slug}" if parent else slug
            if path not in self.sections:
                section = Section(name=name[:100], slug=slug[:100], parent=parent)
                section.save()
                self.sections[path] = section
            parent = self.sections[path]
        return parent

    def tag_ids(self, record: ArticleRecord) -> set[int]:
        ids = set()
        for kind, code in record.labels:
            slug = slugify(code, allow_unicode=True)[:150]
            if not slug:
                continue
            if (kind, slug) not in self.tags:
                name = self.profile.label_name(kind, code)[:150]
                self.tags[kind, slug] = Tag.objects.create(name=name, slug=slug, kind=kind).pk
            ids.add(self.tags[kind, slug])
        return ids

    def source_ids(self, record: ArticleRecord) -> set[int]:
        for name in record.sources:
            if name not in self.sources:
                source = Source(name=name[:150], url=self.profile.source_urls.get(name, ""),
                                **self.profile.source_rights.get(name, {}))
                source.save()
                self.sources[name] = source.pk
        return {self.sources[name] for name in record.sources}

    def author_ids(self, record: ArticleRecord) -> set[int]:
        """Only the people the record names: one that names none is credited to its source."""
        ids = set()
        for name in record.authors:
            slug = slugify(name, allow_unicode=True)[:150] or "author"
            if slug not in self.authors:
                self.authors[slug] = Author.objects.create(name=name[:150], slug=slug).pk
            ids.add(self.authors[slug])
        return ids
