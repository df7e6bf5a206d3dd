"""`dateline demo_outlets`: serve the demo outlets on 127.0.0.1 (`make run` starts it under
`dateline serve --demo-outlets`); `--seed` instead records them as the desk's sources."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dateline.base.environment import whole_number
from dateline.ingest.demo.outlets import OUTLETS
from dateline.ingest.demo.server import serve_forever


def default_port() -> int:
    # PORT is the site, PORT+1 its live stream: the demo outlets take the next one.
    return whole_number("DEMO_OUTLETS_PORT", whole_number("PORT", 8000) + 2)


class Command(BaseCommand):
    help = ("Serve demo outlets on 127.0.0.1 that replay the archive in CORPUS as RSS, Atom, "
            "JSON Feed and ninjs feeds (--seed: add them to the desk's sources instead).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=default_port(),
                            help="Port on 127.0.0.1 (default DEMO_OUTLETS_PORT, else PORT+2).")
        parser.add_argument("--corpus", default=os.environ.get("CORPUS", "../shared/corpus"),
                            help="The corpus folder (bbc-news/, reuters-21578-train/).")
        parser.add_argument("--seed", action="store_true",
                            help="Create or update the demo outlets' sources and feeds, then "
                                 "exit.")

    def handle(self, *args, port: int, corpus: str, seed: bool, **options) -> None:
        if seed:
            from dateline.ingest.demo.seed import seed_demo_outlets

            root = Path(corpus)
            for feed in seed_demo_outlets(port, root if root.is_dir() else None):
                self.stdout.write(f"{feed.name}: {feed.url}")
            return
        corpus_root = Path(corpus)
        missing = [o.corpus for o in OUTLETS if not (corpus_root / o.corpus).is_dir()]
        if missing:
            raise CommandError(f"No {', '.join(sorted(set(missing)))} under {corpus_root}; "
                               "pass --corpus /path/to/corpus.")
        serve_forever(corpus_root, port, say=self._say)

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
