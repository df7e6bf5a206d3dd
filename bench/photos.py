"""Photo bombs against a real `dateline serve`: /healthz latency and the web worker's memory.

Two readers at once each send /report/ five 16-bit PNGs of 7,070 by 7,070 pixels (290 KB each
on the wire, 200 MB each decoded): without the consent box (the form must refuse them unread),
as true bombs over the pixel limit (refused from their header), and as a valid report (decoded,
each in its own child process). Meanwhile a prober asks /healthz every 20 ms, and a sampler
reads the resident memory of every process of the server every 20 ms. Bounded: a few requests,
all on loopback; it stops by itself.
"""

import contextlib
import http.cookiejar
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from pathlib import Path

from corpus import ROOT, environment
from processes import stop, wait_for

VAR = ROOT / "var" / "bench-photos"  # made afresh each run; its server.log kept for a look
PORT = 8131
BASE = f"http://127.0.0.1:{PORT}"
ROUNDS = 1
SIDE = 7070  # 49,984,900 pixels: just under the 50-megapixel limit
TARGET_HEALTHZ_MS, TARGET_WORKER_MB = 100, 300


def png_16bit(width: int, height: int) -> bytes:
    """A complete 16-bit RGB PNG of black pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    stream = zlib.compressobj(9)
    row = bytes(width * 6 + 1)
    rows = b"".join([stream.compress(row) for _ in range(height)] + [stream.flush()])
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


class Server:
    """`dateline serve` (one web worker, no stream, no background worker) on a fresh database."""

    def __init__(self, var: Path) -> None:
        self.env = {**environment(var), "DATELINE_LOG_LEVEL": "WARNING",
                    "DATELINE_SUBMISSION_REPORTS_PER_SENDER": "1000",
                    "DATELINE_SUBMISSION_REPORTS_PER_ADDRESS": "1000", "PYTHONPATH": str(ROOT)}
        for command in (["migrate"], ["collectstatic", "--noinput"]):
            subprocess.run([sys.executable, "-m", "dateline", *command, "-v0"], env=self.env,
                           cwd=ROOT, check=True, timeout=300)
        self.log = var / "server.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dateline", "serve", "--port", str(PORT), "--workers", "1",
             "--no-live", "--no-worker"],
            env=self.env, cwd=ROOT, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(f"{BASE}/healthz", log=str(self.log))

    def processes(self) -> dict[int, str]:
        """Every process of the server's session: pid -> command line."""
        found = {}
        for entry in Path("/proc").iterdir():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.process.pid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(
                        b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError, IndexError):
                continue  # not a process, or gone meanwhile
        return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Watch:
    """/healthz latencies and peak memory per kind of process, sampled in the background."""

    def __init__(self, server: Server) -> None:
        self.server, self.latencies, self.peaks = server, [], {}
        self.done = threading.Event()
        self.threads = [threading.Thread(target=self._probe), threading.Thread(target=self._rss)]

    def __enter__(self) -> "Watch":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join()

    def _probe(self) -> None:
        while not self.done.is_set():
            started = time.perf_counter()
            urllib.request.urlopen(f"{BASE}/healthz", timeout=60).read()
            self.latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)

    def _rss(self) -> None:
        while not self.done.is_set():
            for pid, command in self.server.processes().items():
                kind = ("photo decoder" if "reencode.py" in command
                        else "serve (supervisor)" if " serve " in command + " "
                        else "web worker")
                with contextlib.suppress(OSError):  # gone meanwhile
                    self.peaks[kind] = max(self.peaks.get(kind, 0.0), rss_mb(pid))
            time.sleep(0.02)


def report_once(photo: bytes, *, consent: bool, name: str) -> tuple[int, float]:
    """One reader: load the form (for its CSRF token), send it with five photos."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{BASE}/report/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fields = {"csrfmiddlewaretoken": token, "name": "Bench Reader", "headline": "Photos",
              "email": f"{uuid.uuid4().hex[:8]}@example.org", "text": "Five photos."}
    if consent:
        fields["consent"] = "on"
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; '
              f'filename="{name}{i}.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
              + photo + b"\r\n" for i in range(5)]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{BASE}/report/", data=body, method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                 "Referer": f"{BASE}/report/"})
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def scenario(server: Server, title: str, photo: bytes, consent: bool) -> dict:
    statuses, seconds = [], []
    with Watch(server) as watch:
        for _ in range(ROUNDS):
            def one(n: int) -> None:
                status, took = report_once(photo, consent=consent, name=f"r{n}-")
                statuses.append(status)
                seconds.append(took)
            readers = [threading.Thread(target=one, args=(n,)) for n in range(2)]
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
            time.sleep(0.3)
    latencies = sorted(watch.latencies)
    return {"scenario": title, "statuses": sorted(set(statuses)),
            "upload_s": max(seconds), "healthz_n": len(latencies),
            "healthz_p99_ms": latencies[int(len(latencies) * 0.99) - 1],
            "healthz_max_ms": latencies[-1], **watch.peaks}


def main() -> None:
    print(f"Making a {SIDE}x{SIDE} 16-bit PNG ...", flush=True)
    heavy = png_16bit(SIDE, SIDE)
    bomb = png_16bit(8000, 8000)
    print(f"{len(heavy):,} bytes; an 8000x8000 bomb is {len(bomb):,} bytes", flush=True)
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    server = Server(VAR)
    try:
        idle = Watch(server)
        with idle:
            time.sleep(1)
        print(f"idle: web worker {idle.peaks.get('web worker', 0):.0f} MB, /healthz max "
              f"{max(idle.latencies):.1f} ms")
        rows = [
            scenario(server, "no consent, 5 x 50 MP", heavy, consent=False),
            scenario(server, "bombs over the limit, 5 x 64 MP", bomb, consent=True),
            scenario(server, "valid report, 5 x 50 MP decoded", heavy, consent=True),
        ]
    finally:
        stop(server.process)
    print("\nTwo readers at once, each sending five photos; "
          f"{ROUNDS} rounds per row (`dateline serve --workers 1`):\n")
    print("| scenario | answers | slowest upload s | /healthz p99 ms | /healthz max ms | "
          "web worker peak MB | decoder peak MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    worst_ms = worst_mb = 0.0
    for row in rows:
        worst_ms = max(worst_ms, row["healthz_max_ms"])
        worst_mb = max(worst_mb, row.get("web worker", 0.0))
        print(f"| {row['scenario']} | {', '.join(map(str, row['statuses']))} | "
              f"{row['upload_s']:.2f} | {row['healthz_p99_ms']:.1f} | "
              f"{row['healthz_max_ms']:.1f} | {row.get('web worker', 0):.0f} | "
              f"{row.get('photo decoder', 0):.0f} |")
    print()
    for label, value, target, unit in (("/healthz max", worst_ms, TARGET_HEALTHZ_MS, "ms"),
                                       ("web worker peak", worst_mb, TARGET_WORKER_MB, "MB")):
        verdict = "met" if value < target else "NOT met"
        print(f"target {label} < {target} {unit}: {verdict} ({value:.0f} {unit})")


if __name__ == "__main__":
    main()
