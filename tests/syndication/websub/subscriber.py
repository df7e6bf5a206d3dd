"""A real WebSub subscriber on loopback: an http.server in a thread that records requests."""

import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.serving import serve_in_thread


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    """How the subscriber answers: set the fields before the hub calls."""

    verification: str = "echo"  # "echo" the challenge, answer "wrong" text, or "refuse" (404)
    post_statuses: list[int] = field(default_factory=list)  # then 204 for every later POST
    redirect_to: str = ""  # answer every POST with a 302 to this URL


class Subscriber:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviour = Behaviour()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self.thread = serve_in_thread(self.server)

    def url(self, path: str = "/callback") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def gets(self) -> list[Received]:
        return [r for r in self.received if r.method == "GET"]

    def posts(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST"]

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def record(self, body: bytes = b"") -> Received:
                parts = urllib.parse.urlsplit(self.path)
                received = Received(self.command, parts.path,
                                    dict(urllib.parse.parse_qsl(parts.query)),
                                    dict(self.headers.items()), body)
                subscriber.received.append(received)
                return received

            def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                received = self.record()
                mode = subscriber.behaviour.verification
                if mode == "refuse":
                    self.answer(404, b"no such subscription")
                elif mode == "wrong":
                    self.answer(200, b"not the challenge")
                else:
                    self.answer(200, received.query.get("hub.challenge", "").encode())

            def do_POST(self) -> None:
                self.record(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                behaviour = subscriber.behaviour
                if behaviour.redirect_to:
                    self.answer(302, Location=behaviour.redirect_to)
                else:
                    self.answer(behaviour.post_statuses.pop(0) if behaviour.post_statuses
                                else 204)

            def log_message(self, *args) -> None:
                pass  # keep the test output to the tests

        return Handler
