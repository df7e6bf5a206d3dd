"""`dateline serve`: run the site under granian on HOST:PORT."""

import os
import shutil
import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the site with granian (HOST and PORT from the environment, 127.0.0.1:8000)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("DATELINE_WORKERS", "1"))
        )
        # Django's views block; a thread per core keeps a slow query from stalling the rest
        # without letting hundreds of threads fight over the GIL (granian's default is 512).
        parser.add_argument(
            "--threads", type=int,
            default=int(os.environ.get("DATELINE_THREADS", str(os.cpu_count() or 2))),
        )

    def handle(
        self, *args, host: str, port: int, workers: int, threads: int, **options
    ) -> None:
        granian = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
            "granian"
        )
        if granian is None:
            raise CommandError("granian is not installed; run `make run` or `pip install granian`.")
        self.stdout.write(f"Serving Dateline on http://{host}:{port}/ (Ctrl+C stops it)")
        self.stdout.flush()
        argv = [
            granian, "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--backpressure", str(threads * 4), "--no-ws", "dateline.wsgi:application",
        ]
        os.execv(granian, argv)
