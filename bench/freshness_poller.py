"""The readers of `make bench-freshness`: every output polled until a change shows.

Run by `freshness.py`, a process of its own so that polling never shares a GIL with the desk:

    python freshness_poller.py APP_PORT LIVE_PORT SECTION_PATH API_TOKEN

It opens the live event stream and prints {"ready": true}. Then, for each story, it reads
{"do": "watch", "id": ID, "slug": SLUG, "marker": WORD, "kind": "published"|"updated"}, asks
every output once (none may show the word yet: that would measure nothing) and prints
{"watching": true}; then {"do": "go"}, on which one thread per output asks again every
POLL_MS until the word shows, while the stream reader waits for the story's event. It prints
{"seen": {output: epoch seconds, or null if not within the timeout}, "asked": {output: when
the request that saw it was sent}, "stale": {output: when the last request that did not},
"failed": {output: answers 5xx meanwhile}, "polls": requests sent}.

A poll is what a feed reader or a partner sends: a kept-alive connection and If-None-Match
with the last ETag (a 304 is the body already held, searched again for the new word).
"""

import http.client
import json
import os
import sys
import threading
import time
from urllib.parse import quote

POLL = float(os.environ.get("BENCH_FRESHNESS_POLL_MS", "10")) / 1000
TIMEOUT = float(os.environ.get("BENCH_FRESHNESS_TIMEOUT", "5"))


class Output:
    """One URL, polled over its own kept-alive connection."""

    def __init__(self, name: str, port: int, headers: dict) -> None:
        self.name, self.port, self.headers = name, port, headers
        self.connection: http.client.HTTPConnection | None = None
        self.etag, self.body, self.path = "", b"", ""
        self.needle = b""  # what shows the change: the story's new word, or its link
        self.failed = 0  # answers 5xx (the read budget's 503 under load, an error)
        self.asked = 0

    def shows(self) -> bool:
        headers = dict(self.headers)
        if self.etag:
            headers["If-None-Match"] = self.etag
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                 timeout=10)
                self.asked += 1
                self.connection.request("GET", self.path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.connection = None
                if attempt == 2:
                    raise
        if response.status == 304:
            return self.needle in self.body
        self.failed += response.status >= 500
        self.body = body if response.status == 200 else b""
        self.etag = response.getheader("ETag", "") if response.status == 200 else ""
        return self.needle in self.body


class Stream(threading.Thread):
    """The live event stream, read line by line; notes when each story's event arrives."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=None)
        self.connection.request("GET", "/live/events", headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            raise SystemExit(f"live stream answered {self.response.status}")
        self.lock = threading.Lock()
        self.arrived: list[tuple[float, str, dict]] = []
        self.wake = threading.Condition(self.lock)

    def run(self) -> None:
        kind = ""
        while line := self.response.readline():
            now = time.time()
            if line.startswith(b"event: "):
                kind = line[7:].strip().decode()
            elif line.startswith(b"data: ") and kind:
                payload = json.loads(line[6:])
                with self.wake:
                    self.arrived.append((now, kind, payload))
                    self.wake.notify_all()
            elif line == b"\n":
                kind = ""

    def first(self, story: dict, since: int, deadline: float) -> float | None:
        """When the story's event (with its new headline) arrived, after entry `since`."""
        with self.wake:
            while True:
                for when, kind, payload in self.arrived[since:]:
                    if (kind == story["kind"] and payload.get("id") == story["id"]
                            and story["marker"] in payload.get("headline", "")):
                        return when
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.wake.wait(left)


def outputs(port: int, section: str, token: str) -> dict[str, Output]:
    made = {name: Output(name, port, {}) for name in (
        "article page", "home", "section", "RSS", "JSON Feed", "search page", "/api/search")}
    made["ninjs wire"] = Output("ninjs wire", port, {"Authorization": f"Bearer {token}"})
    made["section"].path = f"/section/{section}/"
    made["home"].path, made["RSS"].path, made["JSON Feed"].path = "/", "/feeds/rss/", "/feeds/json/"
    made["ninjs wire"].path = "/api/ninjs/"
    return made


def poll(output: Output, deadline: float, seen: dict, asked: dict, stale: dict) -> None:
    """Until the change shows; notes when the request that saw it and the last one that did
    not were sent."""
    while (started := time.time()) < deadline:
        if output.shows():
            seen[output.name], asked[output.name] = time.time(), started
            return
        stale[output.name] = started
        time.sleep(POLL)


def main() -> None:
    app_port, live_port, section, token = sys.argv[1:5]
    polled = outputs(int(app_port), section, token)
    stream = Stream(int(live_port))
    stream.start()
    print(json.dumps({"ready": True}), flush=True)
    story: dict = {}
    for line in sys.stdin:
        order = json.loads(line)
        if order["do"] == "watch":
            story = order
            for output in polled.values():
                output.needle = story["marker"].encode()
            polled["article page"].path = f"/articles/{story['id']}/{story['slug']}/"
            polled["article page"].etag = ""
            for name in ("search page", "/api/search"):
                # A search repeats its words: the story is found when its link is listed.
                polled[name].needle = f"/articles/{story['id']}/".encode()
                polled[name].path = ("/search/" if name == "search page" else name) + \
                    f"?q={quote(story['marker'])}"
                polled[name].etag = ""
            early = [name for name, output in polled.items() if output.shows()]
            print(json.dumps({"watching": not early, "early": early}), flush=True)
            since = len(stream.arrived)
            continue
        deadline = time.time() + TIMEOUT
        seen: dict[str, float | None] = dict.fromkeys(polled)
        asked, stale = dict.fromkeys(polled), dict.fromkeys(polled)
        for output in polled.values():
            output.failed = output.asked = 0
        threads = [threading.Thread(target=poll, args=(output, deadline, seen, asked, stale))
                   for output in polled.values()]
        for thread in threads:
            thread.start()
        seen["live stream"] = stream.first(story, since, deadline)
        for thread in threads:
            thread.join()
        failed = {name: output.failed for name, output in polled.items()}
        polls = sum(output.asked for output in polled.values())
        print(json.dumps({"seen": seen, "asked": asked, "stale": stale, "failed": failed,
                          "polls": polls}), flush=True)


if __name__ == "__main__":
    main()
