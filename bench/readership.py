"""`make bench`'s readership rows (issue 21, point 4): how many views a second the beacon
absorbs, and what 10,000 a second cost the cached article's readers.

bench/production.py calls run() through nginx (deploy/nginx.conf), which answers the beacons
itself and writes them for `dateline serve` to count (dateline/readership/beacon_log.py): the
targets, and a check that every beacon sent was counted once. bench/pages.py calls it against
`dateline serve` alone (the beacon answered in front of Django, as without nginx), for the
figures. The wrk runs:
the beacon alone, flat out (views/s absorbed); the article alone and with beacons paced at
BENCH_VIEWS_PER_S, flat out (req/s: the CPU they share); and the article paced at a reader's
rate, without and with the beacons, in turns BENCH_ROUNDS times (latency: what a reader
waits; the mean of the runs' medians).
"""

import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

VIEWS_PER_S = int(os.environ.get("BENCH_VIEWS_PER_S", "10000"))
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# Paced clients: each sends one request, then waits this many ms (wrk's delay()).
BEACON_CLIENTS, PAGE_CLIENTS, PAGE_PAUSE_MS = 110, 8, 10
TARGET_SLOWER = 0.05
BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")


def lua(folder: Path, name: str, *, beacon: bool, pause_ms: int | None) -> Path:
    lines = []
    if beacon:
        lines += ['wrk.method = "POST"', f'wrk.headers["User-Agent"] = "{BROWSER}"',
                  'wrk.headers["Sec-Fetch-Site"] = "same-origin"']
    if pause_ms is not None:
        lines += [f"function delay() return {pause_ms} end"]
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, script: Path, connections: int, seconds: int = DURATION) -> list[str]:
    return ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
            url]


def figures(out: str) -> dict:
    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": latency("50%"), "p99": latency("99%"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def combined(runs: list[dict]) -> dict:
    """Runs in turns of one kind: the mean rate and p50, the worst p99, every request."""
    return {"rps": statistics.mean(r["rps"] for r in runs),
            "requests": sum(r["requests"] for r in runs),
            "p50": statistics.mean(r["p50"] for r in runs), "p99": max(r["p99"] for r in runs),
            "errors": sum(r["errors"] for r in runs)}


def measure(command: list[str], beacons: list[str] | None = None) -> tuple[dict, dict | None]:
    """Run `command`; with `beacons`, run that load for the same time around it."""
    background = subprocess.Popen(beacons, stdout=subprocess.PIPE, text=True) if beacons else None
    try:
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        beacon_out = background.communicate()[0] if background else None
    return figures(out), figures(beacon_out) if beacon_out else None


def run(base: str, article: str, story: int, *, where: str,
        counted: Callable[[], int] | None = None) -> dict[str, dict]:
    """Measure against a running server; return the rows and print them. With `counted` (the
    story's views in the database), the targets too, and whether each beacon counted once."""
    before = counted() if counted else 0
    beacon_url = f"{base}/r/view/{story}"
    # Each client waits this long between beacons; aimed 10 % high, since each beacon's own
    # round trip adds to the wait (the rate reached is printed).
    pause = max(1, round(BEACON_CLIENTS * 1000 / (VIEWS_PER_S * 1.1)))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        flat_beacon = lua(folder, "beacon.lua", beacon=True, pause_ms=None)
        paced_beacon = lua(folder, "paced.lua", beacon=True, pause_ms=pause)
        flat_page = lua(folder, "page.lua", beacon=False, pause_ms=None)
        paced_page = lua(folder, "reader.lua", beacon=False, pause_ms=PAGE_PAUSE_MS)
        # The background load runs a little longer, so that it covers the whole page run.
        load = wrk(beacon_url, paced_beacon, BEACON_CLIENTS, DURATION + 2)
        rows = {"beacon flat out": measure(wrk(beacon_url, flat_beacon, 32))[0]}
        rows["article"] = measure(wrk(base + article, flat_page, 32))[0]
        rows["article + beacons"], rows["beacons beside it"] = measure(
            wrk(base + article, flat_page, 32), load)
        # The reader's runs in turns, ROUNDS times: a median of a tenth of a millisecond moves
        # by more than 5 % with the machine's other load from one run to the next.
        turns: dict[str, list[dict]] = {"reader": [], "reader + beacons": [],
                                         "beacons beside reader": []}
        for _ in range(ROUNDS):
            turns["reader"].append(measure(wrk(base + article, paced_page, PAGE_CLIENTS))[0])
            with_beacons, beacons = measure(wrk(base + article, paced_page, PAGE_CLIENTS), load)
            turns["reader + beacons"].append(with_beacons)
            turns["beacons beside reader"].append(beacons)
        rows.update({name: combined(runs) for name, runs in turns.items()})
    print(f"\nreadership ({where}): the beacon POST /r/view/<id>, {VIEWS_PER_S:,} views/s "
          f"wanted beside the cached article; load average {os.getloadavg()[0]:.1f}")
    print(f"{'run':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, r in rows.items():
        print(f"{name:<24}{r['rps']:>10,.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['errors']:>8}")
    if counted:
        sent = sum(r["requests"] - r["errors"] for name, r in rows.items()
                   if name.startswith("beacon"))
        # wrk leaves out the beacons in flight when it stops, which the server answered: at
        # most one a connection of each beacon run.
        report(rows, sent, settled(counted) - before, in_flight=32 + 2 * BEACON_CLIENTS)
    return rows


def settled(counted: Callable[[], int], quiet: float = 3, most: float = 60) -> int:
    """The count once it has stopped moving for `quiet` seconds (the reader catching up)."""
    last, since, deadline = counted(), time.monotonic(), time.monotonic() + most
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.5)
        now = counted()
        if now != last:
            last, since = now, time.monotonic()
    return last


def report(rows: dict[str, dict], sent: int, counted: int, in_flight: int) -> None:
    once = 0 <= counted - sent <= in_flight
    print(f"beacons answered 204 that wrk saw: {sent:,}; views counted in the database: "
          f"{counted:,} ({'each once' if once else 'NOT each once'}: at most {in_flight} more, "
          "those in flight when wrk stopped)")
    absorbed = rows["beacon flat out"]["rps"]
    print(f"target beacon views absorbed: {absorbed:,.0f}/s (target >= {VIEWS_PER_S:,}/s): "
          f"{'met' if absorbed >= VIEWS_PER_S else 'NOT met'}")
    beside = rows["beacons beside reader"]["rps"]
    slower = rows["reader + beacons"]["p50"] / rows["reader"]["p50"] - 1
    slower_p99 = rows["reader + beacons"]["p99"] / rows["reader"]["p99"] - 1
    print(f"target reader's article p50 with {beside:,.0f} views/s beside it: {slower:+.1%} "
          f"(p99 {slower_p99:+.1%}; target at most +{TARGET_SLOWER:.0%}): "
          f"{'met' if slower <= TARGET_SLOWER and beside >= 0.95 * VIEWS_PER_S and
                       once else 'NOT met'}"
          + ("" if beside >= 0.95 * VIEWS_PER_S else f" (fewer than {VIEWS_PER_S:,} views/s)")
          + ("" if once else " (not every beacon counted once)"))
    shared = rows["article + beacons"]["rps"] / rows["article"]["rps"] - 1
    print(f"flat-out article req/s with {rows['beacons beside it']['rps']:,.0f} views/s beside "
          f"it: {shared:+.1%} (the two share the same cores; not a target)")


def story_of(path: str) -> int:
    return int(re.search(r"/articles/(\d+)/", path).group(1))


