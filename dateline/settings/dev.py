"""Settings for `make run`: DEBUG off, so readers' pages look as they will in production."""

import os
import secrets

from django.core.exceptions import ImproperlyConfigured

from dateline.base.environment import one_of

from .base import *  # noqa: F403
from .base import VAR_DIR


def _local_secret_key() -> str:
    """Keep one random key per checkout in var/, so sessions survive a restart. A var folder
    that cannot be made or a key file that cannot be read is said in a line naming it (the
    `dateline` command prints ImproperlyConfigured so), not a traceback of the OSError."""
    path = VAR_DIR / "secret-key"
    remedy = "or set DATELINE_SECRET_KEY"
    if VAR_DIR.exists() and not VAR_DIR.is_dir():
        raise ImproperlyConfigured(f"DATELINE_VAR_DIR names {VAR_DIR}, a file: it must be a "
                                   "folder (made if missing).")
    try:
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        key = path.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"Cannot keep the secret key in {path}: {error.strerror} (DATELINE_VAR_DIR "
            f"names a folder Dateline must be able to make and write, {remedy}).") from None
    except UnicodeDecodeError:
        key = ""
    if not key:
        raise ImproperlyConfigured(
            f"{path} holds no usable key: delete it to have a new one made (everyone signed "
            f"in signs in again), {remedy}.")
    return key


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
