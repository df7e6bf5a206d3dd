"""`dateline serve`: the site under granian plus the background worker, as one command."""

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve the site with granian (HOST and PORT from the environment, 127.0.0.1:8000), the "
        "live event stream on PORT+1 (LIVE_PORT), and the background worker that publishes "
        "scheduled articles on time."
    )

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
        parser.add_argument(
            "--live-port", type=int, default=int(os.environ.get("LIVE_PORT", "0")),
            help="Port of the live event stream (default PORT+1).",
        )
        parser.add_argument(
            "--live-workers", type=int,
            default=int(os.environ.get("DATELINE_LIVE_WORKERS", "1")),
        )
        parser.add_argument(
            "--no-live", action="store_true",
            help="Do not start the event stream (serve it elsewhere, or go without).",
        )
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Do not start the background worker (run `dateline db_worker` elsewhere).",
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int,
               live_port: int, live_workers: int, no_live: bool, no_worker: bool,
               **options) -> None:
        bin_dir = os.path.dirname(sys.executable)
        granian = shutil.which("granian", path=bin_dir) or shutil.which("granian")
        if granian is None:
            raise CommandError("granian is not installed; run `make run` or `pip install granian`.")
        # Each helper process by name, with how to start it again should it die.
        helpers: dict[str, tuple[subprocess.Popen, Callable[[], subprocess.Popen]]] = {}
        if not no_worker:
            # `dateline worker` books the next edition and a catch-up on what fell due while
            # nothing ran, each once, at every start (a restart after a crash included).
            helpers["worker"] = (self._start_worker(), self._start_worker)
            self.stdout.write("Background worker started (scheduled publishing, embargoes, "
                              "the daily edition).")
        if not no_live:
            # Each open stream holds a file descriptor; allow as many as the system lets us.
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            live_port = live_port or port + 1
            # The pages tell browsers where the stream is; a proxy in front sets its own URL.
            browser_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            os.environ.setdefault("DATELINE_LIVE_URL",
                                  f"http://{browser_host}:{live_port}/live/events")

            def start_stream() -> subprocess.Popen:
                # Every open stream is a request in flight: granian's default cap (about
                # 1,000) would leave the next readers waiting with no answer.
                return subprocess.Popen([
                    granian, "--interface", "asgi", "--host", host, "--port", str(live_port),
                    "--workers", str(live_workers), "--no-ws",
                    "--backpressure", os.environ.get("DATELINE_LIVE_MAX_STREAMS", "20000"),
                    "dateline.live.asgi:application",
                ])

            helpers["live event stream"] = (start_stream(), start_stream)
            self.stdout.write(f"Live event stream on {os.environ['DATELINE_LIVE_URL']}")
        self.stdout.write(f"Serving Dateline on http://{host}:{port}/ (Ctrl+C stops it)")
        self.stdout.flush()
        server = subprocess.Popen([
            granian, "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--backpressure", str(threads * 4), "--no-ws", "dateline.wsgi:application",
        ])

        def children() -> list[subprocess.Popen]:
            return [server, *(process for process, _ in helpers.values())]

        stop = lambda *_: [c.send_signal(signal.SIGTERM) for c in children() if c.poll() is None]  # noqa: E731
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while (code := server.poll()) is None:
                for name, (process, start) in list(helpers.items()):
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} stopped (status {process.returncode}); "
                                          "restarting it.")
                        helpers[name] = (start(), start)
                time.sleep(1)
        finally:
            stop()
            for child in children():
                child.wait(timeout=30)
        sys.exit(code)

    def _start_worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "dateline", "worker", "--interval", "1"])
