"""`dateline search reindex`: rebuild the search index while search stays online;
`dateline search optimize`: compact it (after an import), in short steps."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from dateline.newsroom.models import Article

from ...backends import indexed_backends

BATCH = 500


class Command(BaseCommand):
    help = (
        "Manage the search index. 'reindex' rewrites every article's entry in every "
        f"configured backend, in batches of {BATCH}, each batch in its own short "
        "transaction, then removes entries of deleted articles. Entries are replaced in "
        "place rather than built into a new table and swapped: readers keep finding every "
        "story throughout (the old entry until its batch commits), saves during the run "
        "index themselves as usual, and no lock is held for longer than one batch."
    )

    def add_arguments(self, parser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        reindex = commands.add_parser("reindex", help="Rebuild the index from the articles.")
        reindex.add_argument(
            "--progress", choices=["auto", "always", "never"], default="auto",
            help="Show a progress bar (auto: when writing to a terminal).",
        )
        commands.add_parser(
            "optimize", help="Compact the index (after an import), in short steps; "
            "searches and saves go on meanwhile. 'reindex' does it at its end.")

    def handle(self, *args, action: str, progress: str = "auto", **options) -> None:
        if action == "optimize":
            self._optimize(indexed_backends())
            return
        if action != "reindex":
            raise CommandError(f"Unknown action {action!r}; try 'reindex' or 'optimize'.")
        backends = indexed_backends()
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        disable = {"always": False, "never": True}.get(progress)
        if disable is None:
            disable = not self.stdout.isatty()
        with tqdm(total=len(ids), unit="article", disable=disable, file=self.stderr) as bar:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                with transaction.atomic():
                    batch = list(Article.objects.filter(pk__in=chunk)
                                 .only("pk", "headline", "teaser", "body"))
                    for backend in backends:
                        backend.add_bulk(batch)
                bar.update(len(chunk))
        removed = sum(backend.prune() for backend in backends)
        self.stdout.write(f"Indexed {len(ids):,} articles; removed {removed:,} stale entries.")
        self._optimize(backends)

    def _optimize(self, backends) -> None:
        for backend in backends:
            steps = backend.optimize()
            if steps:
                self.stdout.write(f"Compacted the {backend.vendor} index in {steps} steps.")
