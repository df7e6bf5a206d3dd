"""Settings for `make run`: DEBUG off, so readers' pages look as they will in production."""

import os
import secrets

from dateline.base.environment import one_of

from .base import *  # noqa: F403
from .base import VAR_DIR


def _local_secret_key() -> str:
    """Keep one random key per checkout in var/, so sessions survive a restart."""
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DATELINE_SECRET_KEY") or _local_secret_key()
DEBUG = one_of("DATELINE_DEBUG", "0", ("0", "1")) == "1"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
# A subscriber tried out on this machine listens on loopback.
DATELINE_WEBSUB_ALLOW_PRIVATE = True
# The demo outlets that `make run` starts (dateline.ingest.demo) answer on 127.0.0.1.
DATELINE_INGEST_ALLOW_PRIVATE = True
# Where mails and the edition's PDF link to: the address `make run` serves (HOST and PORT),
# not a fixed :8000 that nothing answers when another port was chosen.
if not os.environ.get("DATELINE_SITE_URL"):
    _host = os.environ.get("HOST", "127.0.0.1")
    _host = "127.0.0.1" if _host in ("0.0.0.0", "::", "") else _host
    _host = f"[{_host}]" if ":" in _host else _host
    DATELINE_SITE_URL = f"http://{_host}:{os.environ.get('PORT', '8000')}"
