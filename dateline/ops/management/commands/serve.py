"""`dateline serve`: the site under granian, the live stream and the background worker, as one
command that keeps them running (dateline.ops.serving.supervisor) with settings chosen from
measurements (dateline.ops.serving.granian, dateline.ops.serving.bulkhead)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dateline.base import heartbeat
from dateline.base.environment import whole_number
from dateline.ingest.demo.outlets import OUTLETS
from dateline.ops.migrated import migrated_or_refuse
from dateline.ops.serving.granian import (
    SLOW_BODY_THREADS,
    cannot_listen,
    claim_port,
    live_stream_command,
    raise_file_limit,
    start_group,
    web_command,
)
from dateline.ops.serving.supervisor import ChildKeepsDying, Supervisor, start_child
from dateline.ops.serving.watchdog import Watchdog
from dateline.pagecache import pagefiles, store
from dateline.readership import beacon_log


class Command(BaseCommand):
    help = (
        "Serve the site with granian (HOST and PORT from the environment, 127.0.0.1:8000), the "
        "live event stream on PORT+1 (LIVE_PORT), and the background worker that publishes "
        "scheduled articles on time."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=whole_number("PORT", 8000))
        parser.add_argument(
            "--workers", type=int, default=whole_number("DATELINE_WORKERS", 2),
            # Two, so that one killed leaves the other answering while granian replaces it;
            # the second costs 65 to 80 MB (measured on a small demo site).
            help="granian worker processes (default 2).",
        )
        # Django's views block; a thread per core keeps a slow query from stalling the rest
        # without letting hundreds of threads fight over the GIL (granian's default is 512).
        parser.add_argument(
            "--threads", type=int,
            default=whole_number("DATELINE_THREADS", os.cpu_count() or 2),
            help="Requests each worker runs at once (default: the number of cores).",
        )
        parser.add_argument(
            "--slow-body-threads", type=int,
            default=whole_number("DATELINE_SLOW_BODY_THREADS", SLOW_BODY_THREADS),
            help="Threads per worker that only wait for request bodies still arriving "
                 f"(default {SLOW_BODY_THREADS}; 0 behind a proxy that buffers them, as nginx "
                 "does).",
        )
        parser.add_argument(
            "--live-port", type=int, default=whole_number("LIVE_PORT", 0),
            help="Port of the live event stream (default PORT+1).",
        )
        parser.add_argument(
            "--live-workers", type=int,
            default=whole_number("DATELINE_LIVE_WORKERS", 1),
        )
        parser.add_argument(
            "--no-live", action="store_true",
            help="Do not start the event stream (serve it elsewhere, or go without).",
        )
        parser.add_argument(
            "--no-worker", action="store_true",
            help="Do not start the background worker (run `dateline worker` elsewhere).",
        )
        parser.add_argument(
            "--check", action="store_true",
            help="Say whether serve could start with these options (its ports free), then "
                 "exit: `make run` asks before setting the demo up under a running site.",
        )
        parser.add_argument(
            "--demo-outlets", metavar="CORPUS", default="",
            help="Also serve the demo outlets that replay the archive in CORPUS on 127.0.0.1 "
                 "(`dateline demo_outlets`; `make run` does).",
        )

    def handle(self, *args, **options) -> None:
        granian = _granian_executable()
        raise_file_limit()
        # The workers' settings learn how many of them serve at once (the rate-limit check).
        os.environ["DATELINE_WORKERS"] = str(options["workers"])
        # The stream's and the demo outlets' ports when not given, worked out once: checked
        # free first, then listened on.
        options["live_port"] = options["live_port"] or options["port"] + 1
        options["outlets_port"] = whole_number("DEMO_OUTLETS_PORT", options["port"] + 2)
        self._sane(**options)
        self._ports_free(**options)
        if options["check"]:  # before `make run` migrates: the database is not asked
            self.stdout.write(f"The ports are free: {options['port']} and the ones after it.")
            return
        migrated_or_refuse(self.stderr.write)
        # Where granian's workers beat (dateline.base.heartbeat), this serve's alone.
        beats = Path(tempfile.mkdtemp(prefix="dateline-heartbeats-"))
        # The workers' metrics added up in files (dateline.ops.metrics), as the systemd unit
        # sets it: without it each scrape saw one worker's counters, going up and down.
        metrics = None
        if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
            metrics = Path(tempfile.mkdtemp(prefix="dateline-metrics-"))
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        os.environ[heartbeat.FOLDER] = str(beats)
        supervisor = self._stopped_by_signals(Supervisor(
            log=self.stderr.write, watchdog=Watchdog(beats, log=self.stderr.write)))
        # The beacons nginx answered itself (deploy/nginx.conf), counted from its lines by this
        # process alone: one reader, whatever the number of workers.
        beacon_log.start_reading()
        # The pages nginx serves as files (DATELINE_PAGE_FILES_DIR) follow every invalidation,
        # this server's and every other's, and past generations' files are deleted.
        pagefiles.start_following(store.generation)
        try:
            self._start_all(supervisor, granian, **options)
            supervisor.run()
        except ChildKeepsDying as error:
            raise CommandError(str(error)) from None
        finally:
            supervisor.stop()
            shutil.rmtree(beats, ignore_errors=True)
            if metrics is not None:
                shutil.rmtree(metrics, ignore_errors=True)

    @staticmethod
    def _stopped_by_signals(supervisor: Supervisor) -> Supervisor:
        """SIGTERM (systemd, a container), SIGINT (Ctrl+C) and SIGHUP (its terminal closed)
        stop every child, then return."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, supervisor.request_stop)
        return supervisor

    @staticmethod
    def _sane(*, port: int, live_port: int, outlets_port: int, workers: int, threads: int,
              slow_body_threads: int, live_workers: int, no_live: bool, demo_outlets: str,
              **_) -> None:
        """Refuse, in one line and before anything starts, what granian would take and then
        fail on: with no threads every page waited for ever while /healthz said ok; a port
        past 65535 restarted granian until it gave up, in ten tracebacks; one port for the
        site and the stream answered half the site's requests with the stream's 404s."""
        counts = {"--workers (DATELINE_WORKERS)": (workers, 1),
                  "--threads (DATELINE_THREADS)": (threads, 1),
                  "--live-workers (DATELINE_LIVE_WORKERS)": (live_workers, 1),
                  "--slow-body-threads (DATELINE_SLOW_BODY_THREADS)": (slow_body_threads, 0)}
        for name, (value, least) in counts.items():
            if value < least:
                raise CommandError(f"{name} must be {least} or more, not {value}.")
        ports = {"the site (--port, PORT)": port}
        if not no_live:
            ports["the live event stream (--live-port, LIVE_PORT)"] = live_port
        if demo_outlets:
            ports["the demo outlets (DEMO_OUTLETS_PORT)"] = outlets_port
        for role, number in ports.items():
            if not 1 <= number <= 65535:
                raise CommandError(f"The port of {role} must be 1 to 65535, not {number}.")
        if len(set(ports.values())) < len(ports):
            raise CommandError("Each of " + ", ".join(f"{r}: {n}" for r, n in ports.items())
                               + " needs a port of its own.")
        if demo_outlets:
            missing = sorted({o.corpus for o in OUTLETS
                              if not (Path(demo_outlets) / o.corpus).is_dir()})
            if missing:
                raise CommandError(f"No {', '.join(missing)} under {demo_outlets} for the demo "
                                   f"outlets (--demo-outlets CORPUS).")

    @staticmethod
    def _ports_free(*, host: str, port: int, live_port: int, outlets_port: int, no_live: bool,
                    demo_outlets: str, **_) -> None:
        """Every port serve listens on, free before anything starts; or a sentence saying which
        is not, and how to choose another."""
        wanted = {"the site": (port, "PORT=8080 make run, or dateline serve --port 8080")}
        if not no_live:
            wanted["the live event stream"] = (live_port,
                                               "LIVE_PORT, or dateline serve --live-port")
        if demo_outlets:
            wanted["the demo outlets"] = (outlets_port, "DEMO_OUTLETS_PORT")
        for role, (number, how) in wanted.items():
            if not claim_port(number):
                raise CommandError(f"Cannot serve {role} on {host}:{number}: another "
                                   f"`dateline serve` on this machine is using that port, or "
                                   f"starting on it ({how}).")
            if (reason := cannot_listen(host, number)) is not None:
                raise CommandError(f"Cannot serve {role} on {host}:{number}: {reason} ({how}).")

    def _start_all(self, supervisor: Supervisor, granian: str, *, host: str, port: int,
                   workers: int, threads: int, slow_body_threads: int, live_port: int,
                   outlets_port: int, live_workers: int, no_live: bool, no_worker: bool,
                   demo_outlets: str, **_) -> None:
        """Start each child under the supervisor, the web server last."""
        if demo_outlets:
            # Run without Django's setup, which would cost the demo 130 MB (the terms it
            # features are the settings' own, given here).
            terms = ",".join(settings.DATELINE_WATCHED_TERMS)
            supervisor.add("demo outlets", lambda: start_child([
                sys.executable, "-m", "dateline.ingest.demo", "--corpus", demo_outlets,
                "--port", str(outlets_port), "--terms", terms]))  # it says where, once up
        if not no_worker:
            # `dateline worker` books the next edition and a catch-up on what fell due while
            # nothing ran, each once, at every start (a restart after a crash included).
            supervisor.add("background worker", self._start_worker, beats=True)
            self.stdout.write("Background worker started (scheduled publishing, embargoes, "
                              "the daily edition, outlets' feeds, newsroom intelligence).")
        if not no_live:
            # The pages tell browsers where the stream is; a proxy in front sets its own URL.
            browser_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            os.environ.setdefault("DATELINE_LIVE_URL",
                                  f"http://{browser_host}:{live_port}/live/events")
            supervisor.add("live event stream (granian ASGI)", lambda: start_group(
                live_stream_command(granian, host, live_port, live_workers)))
            self.stdout.write(f"Live event stream on {os.environ['DATELINE_LIVE_URL']}")
        supervisor.add("web server (granian WSGI)", lambda: start_group(
            web_command(granian, host, port, workers, threads, slow_body_threads)),
            essential=True)
        self.stdout.write(f"Serving Dateline on http://{host}:{port}/ (Ctrl+C stops it)")
        if slow_body_threads:
            # granian warns of "quite high" thread counts; say why before a newcomer wonders.
            self.stdout.write(
                f"Each worker runs Django in {threads} threads; {slow_body_threads} more only "
                "wait for request bodies still arriving (--slow-body-threads; 0 behind nginx, "
                f"which buffers them): granian's warning of {threads + slow_body_threads} "
                "threads is expected.")
        self.stdout.flush()

    def _start_worker(self) -> subprocess.Popen:
        return start_child([sys.executable, "-m", "dateline", "worker", "--interval", "1"])


def _granian_executable() -> str:
    """granian from this virtual environment, else from PATH; a clear error without it."""
    bin_dir = os.path.dirname(sys.executable)
    granian = shutil.which("granian", path=bin_dir) or shutil.which("granian")
    if granian is None:
        raise CommandError("granian is not installed; run `make run` or `pip install granian`.")
    return granian
