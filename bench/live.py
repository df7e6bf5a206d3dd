"""`make bench-live`: publish-to-receipt latency and memory with 1k and 10k open event streams.

For each number of readers and of server workers: a fresh stream server (granian ASGI,
`dateline.live.asgi`), readers connected from `live_clients.py` processes on loopback, the
server's memory before and after, then an editor publishes stories through the real publish
action (`live_newsroom.py`) while every reader notes when each event arrives. Latency is
receipt minus the publishing commit, over every (reader, event) pair.
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from corpus import ROOT, environment
from processes import stop, wait_for

VAR = ROOT / "var" / "bench-live"
HERE = Path(__file__).resolve().parent
PORT = 8103  # pages.py has 8101 and 8102


def numbers(name: str, default: str) -> list[int]:
    return [int(n) for n in os.environ.get(name, default).split(",")]


READERS = numbers("BENCH_LIVE_READERS", "1000,10000")
WORKERS = numbers("BENCH_LIVE_WORKERS", "1,2")
# One reader process: two spent twice the CPU per delivery (fewer reads per epoll wake-up,
# a third busy process on two cores) and so raised the very latency they measure.
CLIENT_PROCESSES = int(os.environ.get("BENCH_LIVE_CLIENT_PROCESSES", "1"))
STORIES = int(os.environ.get("BENCH_LIVE_STORIES", "20"))
SPACING = float(os.environ.get("BENCH_LIVE_SPACING", "0.5"))
TARGET_READERS, TARGET_P99 = 10_000, 1.0
DELIVERY_TIMEOUT = 15.0  # after the last commit; an event later than this counts as missing


def prepare() -> None:
    """A fresh database every run: the editor, the section, no leftovers of earlier runs."""
    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env = environment(VAR)
    subprocess.run([sys.executable, "-m", "dateline", "migrate", "--noinput", "-v0"], env=env,
                   check=True)
    subprocess.run([sys.executable, "live_newsroom.py", "prepare"], env=env, cwd=HERE,
                   check=True)


def start_server(workers: int, readers: int) -> subprocess.Popen:
    granian = Path(sys.executable).with_name("granian")
    env = {**environment(VAR), "DATELINE_LOG_LEVEL": "WARNING"}
    # Its shutdown with thousands of streams open is noisy; kept for a look after a failure.
    log = (VAR / "server.log").open("a")
    server = subprocess.Popen(
        [str(granian), "--interface", "asgi", "--host", "127.0.0.1", "--port", str(PORT),
         "--workers", str(workers), "--no-ws", "--log-level", "warning",
         # Every open stream is a request in progress; granian's default admits only
         # backlog / workers (1024) of them and leaves the others waiting for their headers.
         "--backpressure", str(readers + 100), "dateline.live.asgi:application"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for _ in range(4 * workers):  # start every worker's hub before measuring memory
            wait_for(f"http://127.0.0.1:{PORT}/live/healthz", log=f"{VAR}/server.log")
    except BaseException:
        stop(server)  # never leave a server behind on the benchmark's port
        raise
    return server






def session_processes(leader: int) -> list[int]:
    """The server and its workers: every process of the session it leads."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[3]) == leader:
                found.append(int(entry.name))
    return found


def rss(leader: int) -> int:
    """Resident bytes of the server's processes, summed."""
    total = 0
    for pid in session_processes(leader):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(*leaders: int) -> float:
    """CPU time used so far by these processes and everything in their sessions."""
    total = 0
    for pid in (p for leader in leaders for p in session_processes(leader)):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time every process of the machine has used, from /proc/stat."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU time of the child processes this one has waited for (the publisher)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def open_readers(count: int) -> tuple[list[subprocess.Popen], float]:
    shares = [count // CLIENT_PROCESSES + (i < count % CLIENT_PROCESSES)
              for i in range(CLIENT_PROCESSES)]
    clients = [subprocess.Popen([sys.executable, "live_clients.py", str(PORT), str(share)],
                                cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True, start_new_session=True)
               for share in shares]
    seconds = 0.0
    for client in clients:
        line = client.stdout.readline()
        if not line:
            raise SystemExit("a reader process failed while connecting (see above)")
        seconds = max(seconds, json.loads(line)["seconds"])
    return clients, seconds


def publish() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "live_newsroom.py", "publish", str(STORIES), str(SPACING)],
        env=environment(VAR), cwd=HERE, capture_output=True, text=True, check=True,
        timeout=STORIES * SPACING + 120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect(clients: list[subprocess.Popen], committed: dict[str, float]) -> dict:
    order = json.dumps({"expected": committed, "timeout": DELIVERY_TIMEOUT}) + "\n"
    for client in clients:
        client.stdin.write(order)
        client.stdin.flush()
    latencies, missing, lost = [], 0, 0
    for client in clients:
        result = json.loads(client.stdout.readline())
        latencies += result["latencies"]
        missing += result["missing"]
        lost += result["lost"]
    return {"latencies": sorted(latencies), "missing": missing, "lost": lost}


def measure(readers: int, workers: int) -> dict:
    server, clients = start_server(workers, readers), []
    try:
        time.sleep(1)
        before = rss(server.pid)
        clients, connect_seconds = open_readers(readers)
        time.sleep(1)  # let every stream settle into waiting
        after = rss(server.pid)
        pids = [server.pid, *(c.pid for c in clients)]
        server_cpu, readers_cpu = cpu_seconds(server.pid), cpu_seconds(*pids)
        machine, publisher = machine_busy_seconds(), children_cpu_seconds()
        started = time.monotonic()
        committed = publish()
        elapsed = time.monotonic() - started
        machine = machine_busy_seconds() - machine
        publisher = children_cpu_seconds() - publisher
        server_cpu = cpu_seconds(server.pid) - server_cpu
        readers_cpu = cpu_seconds(*pids) - readers_cpu - server_cpu
        result = collect(clients, committed)
    finally:
        for client in clients:
            stop(client)
        stop(server)
    latencies, events = result.pop("latencies"), max(1, len(committed))
    ours = server_cpu + readers_cpu + publisher
    return {**result, "readers": readers, "workers": workers, "events": len(committed),
            "connect_rate": readers / connect_seconds,
            "kb_per_reader": (after - before) / readers / 1024, "rss_mb": after / 2**20,
            "server_ms": server_cpu * 1000 / events, "readers_ms": readers_cpu * 1000 / events,
            "others": max(0.0, machine - ours) / elapsed,
            "p50": quantile(latencies, 0.50), "p99": quantile(latencies, 0.99),
            "max": latencies[-1] if latencies else float("nan")}


def quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(rows: list[dict]) -> bool:
    print(f"\nLive stream: {STORIES} stories published {SPACING}s apart through the publish "
          f"action (SQLite, local broker); readers on loopback from {CLIENT_PROCESSES} asyncio "
          f"process(es); {os.cpu_count()} cores shared by server, readers and publisher")
    print(f"{'readers':>8}{'workers':>8}{'conn/s':>8}{'KB/conn':>9}{'RSS MB':>8}"
          f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'missing':>8}"
          f"{'CPU ms/event: server':>22}{'readers':>8}{'others':>8}")
    for r in rows:
        print(f"{r['readers']:>8,}{r['workers']:>8}{r['connect_rate']:>8,.0f}"
              f"{r['kb_per_reader']:>9.1f}{r['rss_mb']:>8.0f}{r['p50'] * 1000:>8.0f}"
              f"{r['p99'] * 1000:>8.0f}{r['max'] * 1000:>8.0f}{r['missing']:>8,}"
              f"{r['server_ms']:>22.0f}{r['readers_ms']:>8.0f}{r['others']:>8.0%}")
    busy = max(r["others"] for r in rows)
    if busy > 0.25:
        # Two cores: other work on the machine shows up directly in the latencies.
        print(f"note: other processes used up to {busy:.0%} of a core while stories were "
              "published; these figures are not from an idle machine")
    ok = True
    for r in rows:
        if r["missing"] or r["lost"]:
            ok = False
            print(f"{r['readers']:,} readers, {r['workers']} worker(s): {r['missing']:,} "
                  f"deliveries missing, {r['lost']:,} streams closed by the server: FAIL")
    for r in (r for r in rows if r["readers"] == TARGET_READERS):
        met = r["p99"] < TARGET_P99
        ok = ok and met
        print(f"target p99 < {TARGET_P99:.0f} s at {TARGET_READERS:,} readers, "
              f"{r['workers']} worker(s): {r['p99'] * 1000:.0f} ms: {'PASS' if met else 'FAIL'}")
    return ok


def main() -> None:
    # Each reader is a descriptor in a reader process and one in the server.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < max(READERS) + 100:
        raise SystemExit(f"ulimit -n is {hard}; {max(READERS):,} readers need more")
    # A plain kill runs the same clean-up as Ctrl+C: no server left on the port.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    prepare()
    rows = [measure(readers, workers) for workers in WORKERS for readers in READERS]
    if not report(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
