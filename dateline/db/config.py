"""Database settings that come from the environment: read replicas of the primary."""

import os
from copy import deepcopy

from django.core.exceptions import ImproperlyConfigured

# Seconds to give up connecting to a replica that does not answer (libpq's least: 2), so that
# readers fall back to the primary quickly (dateline.db.replicas).
REPLICA_CONNECT_TIMEOUT = 2


def replica_databases_from_env(primary: dict) -> tuple[dict[str, dict], list[str]]:
    """Return the DATABASES entries and aliases of DATELINE_DB_REPLICA_HOSTS' replicas."""
    hosts = [h.strip() for h in os.environ.get("DATELINE_DB_REPLICA_HOSTS", "").split(",")]
    hosts = [h for h in hosts if h]
    if hosts and primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATELINE_DB_REPLICA_HOSTS names PostgreSQL replicas: "
            "set DATELINE_DB_ENGINE=postgresql."
        )
    databases = {}
    for number, entry in enumerate(hosts, start=1):
        host, port = _split_host_port(entry, default_port=str(primary.get("PORT", "")))
        # A replica is the primary's database streamed elsewhere: same name, user, password and
        # options. In tests it mirrors the primary rather than getting a test database of its own.
        replica = {**deepcopy(primary), "HOST": host, "PORT": port, "TEST": {"MIRROR": "default"}}
        options = replica.setdefault("OPTIONS", {})
        options["connect_timeout"] = min(
            int(options.get("connect_timeout") or REPLICA_CONNECT_TIMEOUT), REPLICA_CONNECT_TIMEOUT
        )
        databases[f"replica{number}"] = replica
    return databases, list(databases)


def _split_host_port(entry: str, default_port: str) -> tuple[str, str]:
    """Split `host`, `host:port` or `[ipv6]:port` into host and port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    else:
        host, port = entry, ""
    if not host or (port and not port.isdigit()):
        raise ImproperlyConfigured(
            f"DATELINE_DB_REPLICA_HOSTS: {entry!r} is not host[:port] (e.g. db-replica:5432)."
        )
    return host, port or default_port
