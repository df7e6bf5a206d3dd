"""`dateline intelligence rebuild|train`: analyse the archive, and teach the parts the site's
own tagging."""

from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from dateline.newsroom.models import Article

from ... import plugins
from ...pipeline import KINDS, analyse_all, chosen_parts
from ...text import labelled_of

BATCH = 100


class Command(BaseCommand):
    help = (
        "Newsroom intelligence. 'rebuild' analyses the stories (newest first, in batches, "
        "printing progress); a story whose text and parts have not changed since its last "
        "analysis is skipped, so a rebuild stopped half-way starts again where it was. "
        "'train' teaches the parts from the site's tagged, published stories and keeps what "
        "they learnt in DATELINE_INTELLIGENCE_DIR."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        rebuild = actions.add_parser("rebuild", help="Analyse the archive, or part of it.")
        rebuild.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                             help="Only stories published (drafts: changed) since this day.")
        rebuild.add_argument("--limit", type=int, help="At most this many stories, newest first.")
        rebuild.add_argument("--force", action="store_true",
                             help="Analyse again even where nothing changed.")
        train = actions.add_parser("train", help="Learn from the site's tagged stories.")
        train.add_argument("--limit", type=int, help="At most this many stories, newest first.")
        train.add_argument("--unless-trained", action="store_true",
                           help="Do nothing when the parts learnt before (`make run` uses it).")

    def handle(self, *args, action: str, **options) -> None:
        if options.get("limit") is not None and options["limit"] < 1:
            raise CommandError("--limit must be 1 or more.")
        if action == "rebuild":
            self.rebuild(options.get("since"), options.get("limit"), options.get("force"))
        elif options.get("unless_trained") and trained_before():
            self.stdout.write("The parts learnt before; nothing to do (`dateline intelligence "
                              "train` learns again).")
        else:
            self.train(options.get("limit"))

    def rebuild(self, since: date | None, limit: int | None, force: bool) -> None:
        stories = Article.objects.order_by("-published_at", "-pk")
        if since is not None:
            start = timezone.make_aware(datetime.combine(since, time.min))
            stories = stories.filter(Q(published_at__gte=start)
                                     | Q(published_at__isnull=True, modified_at__gte=start))
        ids = list(stories.values_list("pk", flat=True)[:limit])
        parts = chosen_parts()
        self.stdout.write(f"Analysing {len(ids):,} stories with "
                          f"{', '.join(f'{k} {p.name}' for k, p in parts.items()) or 'no parts'}.")
        analysed = 0
        for start in range(0, len(ids), BATCH):
            chunk = ids[start:start + BATCH]
            analysed += analyse_all(chunk, force=force, parts=parts)
            done = start + len(chunk)
            self.stdout.write(f"{done:,} of {len(ids):,}: {analysed:,} analysed, "
                              f"{done - analysed:,} unchanged")
            self.stdout.flush()
        self.stdout.write(f"Done: {analysed:,} analysed, {len(ids) - analysed:,} unchanged.")

    def train(self, limit: int | None) -> None:
        stories = (Article.objects.live().filter(tags__isnull=False).distinct()
                   .select_related("section").prefetch_related("tags")
                   .order_by("-published_at", "-pk"))
        examples = [labelled_of(article) for article in stories[:limit]]
        if not examples:
            raise CommandError("No published story has tags yet: there is nothing to learn from.")
        self.stdout.write(f"Learning from {len(examples):,} tagged, published stories.")
        for kind, counts in sorted(label_counts(examples).items()):
            common = ", ".join(f"{name} ({n})" for name, n in counts.most_common(5))
            self.stdout.write(f"  {kind}: {len(counts):,} labels; most used: {common}")
        folder = Path(settings.DATELINE_INTELLIGENCE_DIR)
        for kind in KINDS:
            name = settings.DATELINE_INTELLIGENCE_USE[kind]
            part = plugins.part(kind, name)
            part.train(examples)
            where = folder / kind / name
            where.mkdir(parents=True, exist_ok=True)
            part.save(where)
            self.stdout.write(f"Trained the {kind} {name!r} (version {part.version}); kept in "
                              f"{where}.")
        self.stdout.write("Stories are analysed again with what they learnt as they change; "
                          "`dateline intelligence rebuild` does the archive now.")


def trained_before() -> bool:
    """Whether a training saved something that every chosen part still loads (a part that
    learns nothing saves nothing; one upgraded since refuses its old files, and then the
    parts learn again)."""
    folder = Path(settings.DATELINE_INTELLIGENCE_DIR)
    saved_any = False
    for kind in KINDS:
        name = settings.DATELINE_INTELLIGENCE_USE[kind]
        saved = folder / kind / name
        if saved.is_dir() and any(p.is_file() for p in saved.rglob("*")):
            saved_any = True
            if not plugins.part(kind, name).trained_as:
                return False
    return saved_any


def label_counts(examples) -> dict[str, Counter]:
    counts: dict[str, Counter] = {}
    for example in examples:
        for kind, names in example.labels.items():
            counts.setdefault(kind, Counter()).update(names)
        if example.section:
            counts.setdefault("section", Counter())[example.section] += 1
    return counts
