"""Ingest: other outlets' feeds watched, their items stored once, grouped into stories."""
