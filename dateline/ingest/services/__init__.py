"""Ingest services by name: how a feed's payloads are fetched (Feed.service)."""

from dateline.base.plugins import Registry

from .base import Fetched, Payload, Service, ServiceError

__all__ = ["Fetched", "Payload", "Service", "ServiceError", "services"]

services = Registry(
    "ingest service", Service, setting="DATELINE_INGEST_SERVICES",
    builtins={
        "http": "dateline.ingest.services.http.HTTPService",
        "folder": "dateline.ingest.services.folder.FolderService",
        "imap": "dateline.ingest.services.imap.IMAPService",
    },
)
