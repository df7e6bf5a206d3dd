"""Write validated records to the database in batches, updating what was imported before."""

import hashlib
import logging
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.html import strip_tags

from ..actions.save import snapshot
from ..html import paragraphs_to_html
from ..models import Article, Author, Revision, Source, Tag
from ..models.article import restamp_if_late
from ..signals import articles_bulk_changed
from .headlines import HeadlineStyle, forms_from, learn_from_file
from .lines import read_records
from .profile import ImportProfile
from .records import ArticleRecord, RecordError
from .vocabulary import Vocabulary

logger = logging.getLogger(__name__)

# Sent after a record's article is written and committed, with article=, record= (the
# ArticleRecord: its photos, say) and base_dir= (the import file's folder). Receivers return
# a list of problems in words for the summary; a problem never undoes the story.
story_imported = Signal()

BATCH_SIZE = 500
# Part of every fingerprint: raising it re-imports records whose text and profile are the same
# when the importer's rules change (2: no invented bylines, agency credit).
RULES = "2"
# A new story published this recently is news when it is imported (importer._fill).
FRESH = timedelta(days=1)
ARTICLE_FIELDS = [
    "headline", "body", "standfirst", "teaser", "dateline", "section", "status",
    "published_at", "published_at_is_import_time", "updated_at", "original_url",
    "import_fingerprint", "imported_at", "modified_at", "version", "wire_changed_at",
]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_desk_edits: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # What went wrong after a story was written (a photo that could not be fetched).
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # The batch just written, for story_imported; emptied once it is told.
    written: list[Article] = field(default_factory=list, repr=False)

    @property
    def imported(self) -> int:
        return self.created + self.updated


def import_file(
    path: str | Path,
    profile: ImportProfile | None = None,
    *,
    overwrite_desk_edits: bool = False,
    on_bytes: Callable[[int], None] = lambda n: None,
) -> ImportReport:
    """Import every valid record of a JSON Lines file; report the others with their line."""
    profile = profile or ImportProfile()
    zone = zoneinfo.ZoneInfo(profile.timezone or settings.TIME_ZONE)
    report = ImportReport()
    _declare_source_rights(profile)
    vocabulary = Vocabulary(profile)
    style = _headline_style(Path(path), profile)
    seen: dict[str, int] = {}
    batch: list[tuple[int, ArticleRecord]] = []
    for number, item in read_records(Path(path), zone, on_bytes):
        if isinstance(item, RecordError):
            report.errors.append((number, str(item)))
            continue
        if item.external_id in seen:
            first = seen[item.external_id]
            message = f"id {item.external_id!r} was already used on line {first}"
            report.errors.append((number, message))
            continue
        seen[item.external_id] = number
        if style is not None:
            item = replace(item, headline=style.apply(item.headline, _plain_body(item)))
        batch.append((number, item))
        if len(batch) >= BATCH_SIZE:
            vocabulary = _write(batch, vocabulary, report, overwrite_desk_edits)
            _tell_imported(batch, report, Path(path).parent)
            batch = []
    if batch:
        _write(batch, vocabulary, report, overwrite_desk_edits)
        _tell_imported(batch, report, Path(path).parent)
    report.warnings.sort()
    report.errors.sort()  # the database's refusals come a batch after the lines around them
    return report


def _tell_imported(batch: list[tuple[int, ArticleRecord]], report: ImportReport,
                   base_dir: Path) -> None:
    """Let other apps add what the newsroom does not keep (photos) to the stories written."""
    written = {a.external_id: a for a in report.written}
    report.written = []
    for number, record in batch:
        article = written.get(record.external_id)
        if article is None or not record.photos:
            continue
        for _, problems in story_imported.send(sender=Article, article=article, record=record,
                                               base_dir=base_dir):
            report.warnings.extend((number, problem) for problem in problems or ())


def _declare_source_rights(profile: ImportProfile) -> None:
    """Give the profile's agencies their rights, on sources imported before as on new ones."""
    for source in Source.objects.filter(name__in=profile.source_rights):
        rights = profile.source_rights[source.name]
        if any(getattr(source, key) != value for key, value in rights.items()):
            for key, value in rights.items():
                setattr(source, key, value)
            source.save()  # saved, not updated in bulk: cached pages showing it are dropped


def _headline_style(path: Path, profile: ImportProfile) -> HeadlineStyle | None:
    """The profile's headline style, learning word forms from the file's own bodies first."""
    if not profile.headline_case:
        return None
    return HeadlineStyle(profile.headline_case, learn_from_file(path),
                         forms_from(profile.headline_forms))


def _plain_body(record: ArticleRecord) -> str:
    return strip_tags(record.body) if record.body_is_html else record.body


def _write(
    batch: list[tuple[int, ArticleRecord]], vocabulary: Vocabulary, report: ImportReport,
    overwrite: bool,
) -> Vocabulary:
    """Write a batch; if the database refuses it, write its records one by one.

    Only the record the database refuses is lost, reported with its line. A database that
    cannot be reached at all fails the reload of the vocabulary below, which stops the
    import: no record is to blame, and a re-run carries on where this one stopped. Returns
    the vocabulary to go on with.
    """
    try:
        _write_batch([record for _, record in batch], vocabulary, report, overwrite)
        return vocabulary
    except Exception as exc:
        # Sections and tags the failed transaction created are gone: forget them too.
        vocabulary = Vocabulary(vocabulary.profile)
        if len(batch) == 1:
            logger.info("line %d refused by the database", batch[0][0], exc_info=True)
            report.errors.append((batch[0][0], _refusal(exc)))
            return vocabulary
    for one in batch:
        vocabulary = _write([one], vocabulary, report, overwrite)
    return vocabulary


def _refusal(exc: Exception) -> str:
    detail = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"the database refused it ({type(exc).__name__}{': ' + detail if detail else ''})"


def _write_batch(
    records: list[ArticleRecord], vocabulary: Vocabulary, report: ImportReport, overwrite: bool
) -> None:
    """Write the records in one transaction; the report counts them only once it commits."""
    with transaction.atomic():
        counts = _write_records(records, vocabulary, overwrite)
    report.written.extend(counts["written"])
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    report.kept_desk_edits += counts["kept_desk_edits"]


@dataclass
class _Plan:
    """What one batch does: the articles to create and to update, and what it leaves alone."""

    new: list[Article] = field(default_factory=list)
    changed: list[Article] = field(default_factory=list)
    # external id -> (tag ids, source ids, author ids)
    relations: dict[str, tuple[set[int], set[int], set[int]]] = field(default_factory=dict)
    unchanged: int = 0
    kept_desk_edits: int = 0
    # The batch's one time: each article it writes is modified then, and a change to the wire
    # is stamped then.
    at: datetime = field(default_factory=timezone.now)

    @property
    def written(self) -> list[Article]:
        return self.new + self.changed


def _write_records(records: list[ArticleRecord], vocabulary: Vocabulary, overwrite: bool) -> dict:
    """Create the new articles, update the changed ones, count the others; return the counts."""
    fingerprints = _fingerprints(records, vocabulary.profile)
    plan = _plan(records, _imported_before(fingerprints), fingerprints, vocabulary, overwrite)
    _save(plan)
    return {"unchanged": plan.unchanged, "kept_desk_edits": plan.kept_desk_edits,
            "created": len(plan.new), "updated": len(plan.changed), "written": plan.written}


def _fingerprints(records: list[ArticleRecord], profile: ImportProfile) -> dict[str, str]:
    """Each record's fingerprint by external id, the profile's included."""
    # A changed profile (say, a section renamed) must re-file records whose text is the same.
    return {
        r.external_id: hashlib.sha256(
            (r.fingerprint + profile.fingerprint + RULES).encode()
        ).hexdigest()
        for r in records
    }


def _imported_before(external_ids) -> dict[str, Article]:
    """The articles already imported under these ids, with only the fields the plan reads."""
    return {
        a.external_id: a
        for a in Article.objects.filter(external_id__in=external_ids).only(
            "pk", "external_id", "import_fingerprint", "imported_at", "modified_at", "slug",
            "published_at", "published_at_is_import_time", "version",
        )
    }


def _plan(
    records: list[ArticleRecord], existing: dict[str, Article], fingerprints: dict[str, str],
    vocabulary: Vocabulary, overwrite: bool,
) -> _Plan:
    """Fill an article for each record that is new or changed; count the ones left alone."""
    plan = _Plan()
    for record in records:
        article = existing.get(record.external_id)
        if article is not None:
            if article.import_fingerprint == fingerprints[record.external_id]:
                plan.unchanged += 1
                continue
            edited_on_desk = article.imported_at and article.modified_at > article.imported_at
            if edited_on_desk and not overwrite:
                plan.kept_desk_edits += 1
                continue
        else:
            article = Article(external_id=record.external_id)
        _fill(article, record, vocabulary, fingerprints[record.external_id], plan.at)
        plan.relations[record.external_id] = (
            vocabulary.tag_ids(record), vocabulary.source_ids(record), vocabulary.author_ids(record)
        )
        (plan.changed if article.pk else plan.new).append(article)
    return plan


def _save(plan: _Plan) -> None:
    """Write the plan's articles, their tags, sources and authors, and an import revision each."""
    Article.objects.bulk_create(plan.new)
    Article.objects.bulk_update(plan.changed, ARTICLE_FIELDS)
    written = plan.written
    if written:  # those stamped at the batch's time, if its commit comes late
        restamp_if_late(Article.objects.filter(pk__in=[a.pk for a in written]), plan.at)
    _replace_relations(written, plan.relations)
    Revision.objects.bulk_create(_import_revisions(written, plan.relations))
    if written:
        articles_bulk_changed.send(sender=Article, count=len(written), pks=[a.pk for a in written])


def _import_revisions(articles: list[Article], relations: dict) -> list[Revision]:
    """An import revision of each story, recording what a desk save records (save.snapshot):
    with the section, dateline and status alone, a conflict between two editors of an
    imported story took every tag, source and author as changed by both."""
    wanted: list[set[int]] = [set(), set(), set()]
    for article in articles:
        for index, ids in enumerate(relations[article.external_id]):
            wanted[index].update(ids)
    names = [dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
             for model, ids in zip((Tag, Source, Author), wanted, strict=True)]
    return [Revision(article=article, kind=Revision.Kind.IMPORT, version=article.version,
                     headline=article.headline, standfirst=article.standfirst, body=article.body,
                     metadata=snapshot(article, _names_of(article, relations, names)))
            for article in articles]


def _names_of(article: Article, relations: dict, names: list[dict]) -> tuple:
    """(authors, sources, tags) names of an imported story, from its relations' ids."""
    tags, sources, authors = ([names[i][pk] for pk in ids]
                              for i, ids in enumerate(relations[article.external_id]))
    return authors, sources, tags


def _fill(
    article: Article, record: ArticleRecord, vocabulary: Vocabulary, fingerprint: str, now
) -> None:
    article.headline = record.headline
    article.body = record.body if record.body_is_html else paragraphs_to_html(record.body)
    article.standfirst = record.standfirst
    article.dateline = record.dateline
    article.section = vocabulary.section_for(record)
    article.status = record.status
    article.original_url = record.original_url
    article.updated_at = record.updated_at
    if record.published_at is not None:
        article.published_at, article.published_at_is_import_time = record.published_at, False
    elif article.published_at is None:
        # No time in the record: publish it now, once, and say so, rather than invent one. A
        # story with a time keeps it (an earlier record's, or the desk's when it went out):
        # a time once shown to readers is not moved to the import's.
        article.published_at, article.published_at_is_import_time = now, True
    if article.pk:
        article.version += 1  # an editor's form opened on the old text is now stale
    article.import_fingerprint = fingerprint
    article.imported_at = article.modified_at = now
    article.prepare_for_save()
    # A story imported again with new text is a change, now; so is a new one published in the
    # last day (the wire a batch brings). An older one is the archive: no news to partners,
    # it reaches the wire at its own time.
    fresh = article.published_at is not None and article.published_at > now - FRESH
    article.wire_changed_at = article.reaches_the_wire(now if article.pk or fresh else None)
    if article.published_at_is_import_time and not article.pk:
        # No date of its own: the archive's copy, not the day's news. Its import's time put
        # 2,225 BBC stories of 2004 on the changes feed as news; partners find it in the
        # archive (/api/ninjs/), and any later change of it on the desk goes out as one.
        article.wire_changed_at = None


def _replace_relations(articles: list[Article], relations: dict) -> None:
    ids = [a.pk for a in articles]
    through = [Article.tags.through, Article.sources.through, Article.authors.through]
    columns = ["tag_id", "source_id", "author_id"]
    for model in through:
        model.objects.filter(article_id__in=ids).delete()
    for index, (model, column) in enumerate(zip(through, columns, strict=True)):
        model.objects.bulk_create(
            model(article_id=a.pk, **{column: target})
            for a in articles
            for target in relations[a.external_id][index]
        )
