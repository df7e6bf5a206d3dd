"""Whom a story credits and whose rights it carries, the same on the page, in feeds and the wire.

No byline is ever invented: a story credits the authors it names (real people, or staff who
wrote it), and a story that names none, such as imported wire copy, is credited to its
sources ("Reuters"); where a byline must name someone (the wire, search engines), a story
that credits no one is the house's own copy. A story whose byline is its sources' (it names
no author, or a byline written out as one of their names) is their copy, and carries the
rights of the first source that declares them; any
other story is the house's, and carries its rights (the DATELINE_RIGHTS_HOLDER settings):
a staff story that draws on Reuters credits Reuters as a source, not as its owner.

A press review is the house's own: its sources are the outlets it reviews, whose words it
quotes and summarises, not its authors or rights holders. It credits only the authors it
names, and carries the house's rights.

Callers should prefetch the article's `authors` and `sources` (with the sources' rights
fields) so that these functions run no query of their own.
"""

from dataclasses import dataclass

from django.conf import settings

from dateline.base.prepared import all_of

from .models import Article, Author, Source


@dataclass(frozen=True)
class Credit:
    """The people a story names as its authors, or, when it names none, its sources."""

    authors: list[Author]
    agencies: list[Source]
    # A byline the desk wrote out ("Reader report by Ann Lee"): shown as written, without "By".
    text: str = ""

    @property
    def names(self) -> list[str]:
        if self.text:
            return [self.text]
        return [a.name for a in self.authors] or [s.name for s in self.agencies]


@dataclass(frozen=True)
class Rights:
    holder: str
    notice: str
    terms: str


def credit(article: Article) -> Credit:
    """The story's authors; when it names none, its sources stand as the byline.

    A byline written out by the desk stands instead of both.
    """
    if article.byline_text:
        # A byline written out as one of its sources' names ("Reuters") is that source's
        # copy, as a story credited to its sources is; any other ("Reader report by Ann
        # Lee") is the house's.
        named = article.byline_text.casefold()
        agencies = [s for s in all_of(article, "sources") if s.name.casefold() == named] \
            if _is_sources_copy(article) and not list(all_of(article, "authors")) else []
        return Credit(authors=[], agencies=agencies, text=article.byline_text)
    authors = list(all_of(article, "authors"))
    if authors or not _is_sources_copy(article):
        return Credit(authors=authors, agencies=[])
    return Credit(authors=[], agencies=list(all_of(article, "sources")))


def _is_sources_copy(article: Article) -> bool:
    """Whether the story is its sources' copy (wire copy, a draft quoting an outlet's item):
    a press review only reviews its sources."""
    return article.kind != Article.Kind.PRESS_REVIEW


def byline(article: Article) -> str:
    """"Ann Lee", "Ann Lee and Bo Chan", "Reuters", or "" when the story credits no one."""
    return join_names(credit(article).names)


def byline_or_house(article: Article) -> str:
    """The byline, else the house itself ("Dateline"): a story that credits no one is the
    agency's own copy, and partners' systems and search engines want a name to show."""
    return byline(article) or settings.DATELINE_SITE_NAME


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rights(article: Article) -> Rights:
    """The rights of the first source that declares them where the story is its sources' copy
    (its byline is theirs), else the house's."""
    for source in credit(article).agencies:
        if source.rights_holder:
            return source_rights(source)
    return Rights(
        holder=settings.DATELINE_RIGHTS_HOLDER,
        notice=settings.DATELINE_COPYRIGHT_NOTICE,
        terms=settings.DATELINE_USAGE_TERMS,
    )


def source_rights(source: Source) -> Rights:
    """A source's declared rights; the notice and terms it leaves blank name its holder."""
    holder = source.rights_holder
    return Rights(
        holder=holder,
        notice=source.copyright_notice or f"Copyright {holder}. All rights reserved.",
        terms=source.usage_terms or f"Republication only under an agreement with {holder}.",
    )
