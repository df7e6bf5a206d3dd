"""Fixtures for readers' reports: a real SMTP server on loopback, photos, and a valid report."""

import email
import email.policy
import socket

import pytest


class Inbox:
    """An aiosmtpd handler that keeps every message it is given, and refuses chosen recipients."""

    def __init__(self) -> None:
        self.envelopes = []
        self.refused: set[str] = set()  # addresses answered "550 no such mailbox"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default)
                for e in self.envelopes]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["To"]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    """Send through Django's SMTP backend to 127.0.0.1:port (Django 6.1's MAILERS)."""
    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "use_ssl": False,
                    "timeout": 5},
    }}


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on loopback, and Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    use_smtp(settings, controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
def report_fields():
    """What a reader fills in: a valid report, before any photo."""
    return {
        "name": "Maria Ivanova",
        "email": "maria@example.org",
        "headline": "Tram derails on Vitosha Boulevard",
        "text": "A tram left the rails at 8:10 this morning.\n\nNobody was hurt, the driver said.",
        "consent": "on",
    }


class Decoding:
    """How often Pillow decoded pixels in this process, and how many decoder children ran."""

    def __init__(self) -> None:
        self.loads = 0
        self.children = 0


@pytest.fixture
def decoding(monkeypatch) -> Decoding:
    """Count decodes with spies that call through: nothing about decoding is replaced."""
    from PIL import Image, ImageFile

    from dateline.submissions import photos

    seen = Decoding()

    def count_loads(real):
        def load(*args, **kwargs):
            seen.loads += 1
            return real(*args, **kwargs)
        return load

    real_run = photos.subprocess.run

    def run(command, *args, **kwargs):
        if str(photos.CHILD) in command:
            seen.children += 1
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "load", count_loads(Image.Image.load))
    monkeypatch.setattr(ImageFile.ImageFile, "load", count_loads(ImageFile.ImageFile.load))
    monkeypatch.setattr(photos.subprocess, "run", run)
    return seen
