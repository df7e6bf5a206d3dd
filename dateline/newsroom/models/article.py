"""The story: what the desk writes and the site publishes."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from dateline.base.addresses import address
from dateline.base.graphemes import clipped

from ..html import as_meant, first_sentence, sanitize_body
from .people import Author, Source
from .section import Section
from .tag import Tag

# ArticleQuerySet.linked_to: below FEW_LINKS stories a tag's are always sorted (a few
# milliseconds); its stories are counted up to LINKS_COUNTED (an index range, ~1 ms).
FEW_LINKS, LINKS_COUNTED = 2_000, 50_000


# A change whose commit came this long after its stamp is stamped again at its commit.
LATE_COMMIT = timedelta(seconds=1)


def restamp_if_late(rows: models.QuerySet, stamped: datetime) -> None:
    """After the commit, give these rows' change (their wire_changed_at, stories' or deleted
    stories') the time of the commit if it came late.

    A change is stamped as it is saved, before its transaction commits; the wire's changes
    feed serves changes once a few seconds old, in stamp order, and a partner's place moves
    past what it was served. A commit held up longer (a lock waited for, a long import batch)
    would land behind that place and never be served: stamped again, it comes after it."""
    def again() -> None:
        now = timezone.now()
        if now - stamped > LATE_COMMIT:
            rows.filter(wire_changed_at=stamped).update(wire_changed_at=now)

    transaction.on_commit(again)


class ArticleQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None) -> "ArticleQuerySet":
        """Articles a reader may see now; every public output starts here. (`now`: the moment
        to judge at, for a prepared query that puts its own in at each run.)"""
        now = now or timezone.now()
        return self.filter(
            models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def newest_first(self) -> "ArticleQuerySet":
        return self.order_by("-published_at", "-pk")

    def in_section(self, section: Section, subtree: list[int] | None = None) -> "ArticleQuerySet":
        """Articles of a section and of every section below it (`subtree`: their ids, when
        the caller holds the section tree; else one query finds them)."""
        ids = Section.objects.subtree_ids(section) if subtree is None else subtree
        if len(ids) == 1:
            return self.filter(section_id=ids[0])
        # Newest first over a subtree: walk the publication index and keep the subtree's
        # stories. The unary plus stops SQLite from choosing the section index instead,
        # which would sort every story of a large subtree for each page.
        listed = ",".join(str(int(pk)) for pk in ids)
        return self.extra(where=[f'+"newsroom_article"."section_id" IN ({listed})'])

    def linked_to(self, relation: str, pk: int | list[int], depth: int = 21
                  ) -> "ArticleQuerySet":
        """Stories of a tag or author (`relation` "tags" or "authors"; `pk` one id, or a list
        of which any will do), in the form that keeps a newest-first page cheap whatever
        share of the archive they are; `depth`: how many of the newest the page reads (its
        offset and length).

        Sorted from the tag's links, a page costs the tag's size: 39 ms of SQLite for "USA"
        (53,801 of 100,000 stories), ten times that at a million, past a public request's
        budget. Walking the publication index newest first, each story's link looked up,
        costs `depth` times the archive's share the tag is not: a few probes for "USA", the
        whole archive for a rare tag. Each page takes the cheaper of the two.
        """
        field = getattr(Article, relation).field
        through = field.remote_field.through
        column = field.m2m_reverse_name() + ("__in" if isinstance(pk, list) else "")
        links = through.objects.filter(**{column: pk})
        size = links[:LINKS_COUNTED].count()  # counted no further: the join is dear by then
        if size >= FEW_LINKS:
            archive = Article.objects.aggregate(last=models.Max("pk"))["last"] or 0
            if depth * archive < size * size:  # probes the walk makes < rows the join sorts
                return self.filter(Exists(through.objects.filter(article_id=OuterRef("pk"),
                                                                 **{column: pk})))
        return self.filter(pk__in=links.values("article_id"))

    def for_listing(self) -> "ArticleQuerySet":
        """Just what a teaser in a list shows: headline, teaser, section and dateline.

        The section is not joined: callers attach it from the section tree they hold.
        """
        return self.only("headline", "slug", "teaser", "published_at",
                         "published_at_is_import_time", "section_id")

    def send_again(self) -> list[int]:
        """Put the live ones among these stories on the wire again as a new version, though
        no save of the desk's form changed them (a correction note added, their photo's
        caption corrected in the library, their tags decided). Partners hold a copy, and a
        partner's system (Superdesk's ingest) takes an item again only when its version has
        grown; growing the desk's own version would refuse the save of an editor with the
        story open. Returns the ids of those sent."""
        now = timezone.now()
        ids = list(self.live().values_list("pk", flat=True))
        if ids:
            Article.objects.filter(pk__in=ids).new_wire_version(wire_changed_at=now)
            restamp_if_late(Article.objects.filter(pk__in=ids), now)
        return ids

    def new_wire_version(self, **also) -> int:
        """One more version of these stories for partners beyond the desk's (and the other
        columns in `also`, in the same statement): the one place `Article.resent` is written."""
        return self.update(resent=models.F("resent") + 1, **also)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        # Taken down: the newsroom's word, said the same in the list, the panels and the story.
        UNPUBLISHED = "unpublished", "Killed"

    class Kind(models.TextChoices):
        STORY = "story", "Story"
        # "What foreign media write about …": the outlets' items, quoted and summarised.
        PRESS_REVIEW = "press_review", "Press review"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STORY)
    headline = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=120, allow_unicode=True, blank=True,
        help_text="Set from the headline when the article is created. Editing the headline "
        "keeps it, so links stay valid; a changed slug still redirects from the old one.",
    )
    standfirst = models.TextField(
        blank=True, max_length=600, help_text="The short summary under the headline."
    )
    teaser = models.CharField(
        max_length=600, editable=False,
        help_text="Shown in lists: the standfirst, or else the body's first sentence.",
    )
    body = models.TextField(help_text="HTML; sanitised when saved.")
    dateline = models.CharField(
        max_length=200, blank=True, help_text='The wire dateline, e.g. "SALVADOR, Feb 26".'
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, blank=True, related_name="articles")
    byline_text = models.CharField(
        "byline as written", max_length=200, blank=True,
        help_text='Shown as the byline instead of the authors, as written: "Reader report by '
        'Ann Lee", "Reuters". Leave empty to credit the authors.',
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    is_top_story = models.BooleanField(
        default=False, help_text="Lead the home page while it is the newest such story."
    )
    is_breaking = models.BooleanField(
        default=False,
        help_text="Breaking news: a banner on every page while it is the newest breaking "
        "story, pushed at once to readers with a page open. Untick when the moment passes.",
    )
    is_live_coverage = models.BooleanField(
        default=False,
        help_text="Live coverage: editors add timestamped entries during an event and readers "
        "see them appear in place.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When a scheduled article goes live; set through the Schedule action.",
    )
    embargo_until = models.DateTimeField(
        null=True, blank=True,
        help_text="Hidden from every public output (pages, feeds, API, search) until then, "
        "even when published.",
    )
    published_at_is_import_time = models.BooleanField(
        default=False, editable=False,
        help_text="The source gave no time, so the article carries the time it was imported.",
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the published story was last updated for readers."
    )
    original_url = models.URLField(max_length=500, blank=True)
    external_id = models.CharField(
        max_length=200, null=True, blank=True, unique=True, editable=False,
        help_text="The id of the record this article was imported from.",
    )
    import_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    # Bumped by every save; a save based on an older version is refused (see actions.save).
    version = models.PositiveIntegerField(default=1, editable=False)
    # No version is higher: a PositiveIntegerField's top on PostgreSQL (SQLite's is wider). A
    # version sent back by a page is held to it before it reaches a query.
    HIGHEST_VERSION = 2**31 - 1
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by save() rather than auto_now, so that the importer can stamp it to match imported_at.
    modified_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the story's latest change reaches partners (the wire's changes feed, in this order):
    # the save that published, changed or withdrew it, or the later time it comes out at
    # (its publication time, its embargo's end). None while it never reached the wire.
    wire_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How often the story went to partners as a new version with no save of the desk's
    # (ArticleQuerySet.send_again; a kill or a republication, actions.base); its wire version
    # is `version + resent`. Counted in the database alone: a save never writes it, so a
    # form's stale copy cannot lower it.
    resent = models.PositiveIntegerField(default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("submit_article", "Can submit own articles for review"),
            ("change_own_article_in_review", "Can edit own articles while in review"),
            ("change_any_article", "Can edit any article"),
            ("return_article", "Can return articles to their reporter"),
            ("publish_article", "Can publish articles"),
            ("schedule_article", "Can schedule and embargo articles"),
            ("unpublish_article", "Can unpublish (kill) articles"),
            ("correct_article", "Can attach corrections and updates"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_live_idx"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_live_idx"
            ),
            # Few stories lead the home page; finding the newest must not scan the others.
            models.Index(
                fields=["status", "-published_at"], condition=models.Q(is_top_story=True),
                name="article_top_story_idx",
            ),
            models.Index(
                fields=["status", "-published_at"], condition=models.Q(is_breaking=True),
                name="article_breaking_idx",
            ),
            # The desk's search by a byline as written ("Reuters", "Reader report by Ann
            # Lee"): read through this small index, never the stories' rows.
            models.Index(fields=["byline_text"], condition=~models.Q(byline_text=""),
                         name="article_byline_text_idx"),
            # The desk's story list: the last changed first, drafts included.
            models.Index(fields=["-modified_at", "-id"], name="article_desk_recent_idx"),
            models.Index(
                fields=["section", "-modified_at", "-id"], name="article_desk_section_idx"
            ),
            # The desk's panels and lists by status ("Waiting for you": in review): through the
            # index above, an archive without such stories was walked to its end.
            models.Index(
                fields=["status", "-modified_at", "-id"], name="article_desk_status_idx"
            ),
            models.Index(fields=["wire_changed_at", "id"], name="article_wire_changes_idx"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, for_partners: bool = True, **kwargs) -> None:
        """`for_partners=False`: a change partners' item does not carry (live coverage turned
        on), so the story does not go out to them again, the same item at the same version."""
        self.prepare_for_save()
        self.modified_at = timezone.now()
        if for_partners and self._withdrawn_already():
            # Partners were told once, when it was withdrawn: an edit since is no news to them
            # (each save was a new "canceled" item, with a headline readers never saw).
            for_partners = False
        if for_partners:
            self.wire_changed_at = self.reaches_the_wire(self.modified_at)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"], "slug", "body", "teaser", "modified_at",
                *(["wire_changed_at"] if for_partners else []),
            }
        elif not self._state.adding and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "resent" and f.attname not in deferred]
        super().save(*args, **kwargs)
        if for_partners and self.wire_changed_at == self.modified_at:
            restamp_if_late(Article.objects.filter(pk=self.pk), self.modified_at)

    def get_absolute_url(self) -> str:
        return address("site:article", pk=self.pk, slug=self.slug)

    def _withdrawn_already(self) -> bool:
        return (self.status == self.Status.UNPUBLISHED and self.pk is not None
                and not self._state.adding and Article.objects.filter(
                    pk=self.pk, status=self.Status.UNPUBLISHED).exists())

    def prepare_for_save(self) -> None:
        """Derive what is stored from what was written; bulk writers call this too."""
        for field in ("standfirst", "body"):
            setattr(self, field, as_meant(getattr(self, field)))
        for field in ("headline", "dateline", "byline_text"):  # one line each
            setattr(self, field, " ".join(as_meant(getattr(self, field)).split()))
        if not self.slug:
            self.slug = slugify(self.headline, allow_unicode=True)[:120].strip("-") or "article"
        self.body = sanitize_body(self.body)
        self.teaser = clipped(self.standfirst.strip() or first_sentence(self.body), 600)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def reaches_the_wire(self, changed: datetime | None) -> datetime | None:
        """When this state of the story reaches partners, if it was changed at `changed`
        (None: an archive's import, which is no news): the withdrawal of a story that was out
        at once; a published story not before its publication time and its embargo's end;
        else never."""
        if self.status == self.Status.UNPUBLISHED:
            # Told only of a story that was out (Unpublish empties a held one's time).
            return (changed or self.modified_at) if self.published_at is not None else None
        if self.status != self.Status.PUBLISHED:
            return None
        return max((t for t in (changed, self.published_at, self.embargo_until) if t),
                   default=None)

    @property
    def wire_version(self) -> int:
        """The version partners are given: every save's, and every sending again."""
        return self.version + self.resent

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    @property
    def last_changed_at(self):
        return self.updated_at or self.published_at
