"""Imported only by the registry that names it: its import shows the loader is lazy."""

from .parts import Part


class Lazy(Part):
    name = "lazy"
