from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "dateline.ingest"
    label = "ingest"
    verbose_name = "Ingest and the foreign-media monitor"
