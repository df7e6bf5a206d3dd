"""News in Brief: a story in two or three sentences (the "lead" summariser, `lead.py`), and
the brief every output shows, an editor's where there is one (`brief_for`, `briefs_for` in
`stored.py`).

The summariser needs no database, so that the benchmark can run it on a corpus: the stored
briefs' functions, which read the models, are imported only when first asked for.
"""

__all__ = ["brief_for", "briefs_for"]


def __getattr__(name: str):
    if name in __all__:
        from . import stored

        return getattr(stored, name)
    raise AttributeError(name)
