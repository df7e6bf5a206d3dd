"""Shared fixtures: small builders for the newsroom's objects."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article, Author, Section, Source, Tag

_serial = count(1)


@pytest.fixture
def make_section(db):
    def make(name: str, parent: Section | None = None, **fields) -> Section:
        section = Section(name=name, parent=parent, **fields)
        section.save()
        return section

    return make


@pytest.fixture
def make_article(db, make_section):
    default_section = {}

    def make(
        headline: str | None = None,
        *,
        section: Section | None = None,
        tags=(),
        sources=(),
        authors=(),
        age: timedelta = timedelta(hours=1),
        **fields,
    ) -> Article:
        if section is None:
            if "section" not in default_section:
                default_section["section"] = make_section("World")
            section = default_section["section"]
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - age)
        article = Article.objects.create(
            headline=headline or f"Story number {next(_serial)}",
            body=fields.pop("body", "<p>First sentence here. Second sentence follows.</p>"),
            section=section,
            **fields,
        )
        article.tags.set(tags)
        article.sources.set(sources)
        article.authors.set(authors)
        return article

    return make


@pytest.fixture
def make_tag(db):
    def make(name: str, kind: str = Tag.Kind.TOPIC) -> Tag:
        return Tag.objects.create(name=name, kind=kind)

    return make


@pytest.fixture
def make_source(db):
    def make(name: str, url: str = "") -> Source:
        return Source.objects.create(name=name, url=url)

    return make


@pytest.fixture
def make_author(db):
    def make(name: str) -> Author:
        return Author.objects.create(name=name)

    return make
