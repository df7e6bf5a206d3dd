"""Keeping a trained topic model on disk, and refusing one another scikit-learn wrote.

The model is a joblib (pickle) file, and unpickling runs code, so it is only ever read from
DATELINE_INTELLIGENCE_DIR, the site's own var dir, where nothing but `save` below writes it
(by `dateline intelligence train`): it is our own file, never one a user or a feed supplied.
scikit-learn's pickles are not portable between its versions, so `meta.json` (plain JSON, read
first) records the version that wrote it, and a model from any other version is not loaded at
all: the part stays untrained until `dateline intelligence train` writes a new one.
"""

import json
import logging
import os
from pathlib import Path

import joblib
import sklearn

logger = logging.getLogger(__name__)

MODEL, META = "model.joblib", "meta.json"


def save(folder: Path, model: dict, version: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed over: a worker loading meanwhile sees the old pair or the new.
    partial = folder / f".{MODEL}.{os.getpid()}"
    joblib.dump(model, partial, compress=3)
    os.replace(partial, folder / MODEL)
    meta = {"sklearn": sklearn.__version__, "version": version}
    (folder / META).write_text(json.dumps(meta) + "\n", encoding="utf-8")


def load(folder: Path, version: str) -> dict | None:
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    wanted = {"sklearn": sklearn.__version__, "version": version}
    if not isinstance(meta, dict) or {k: meta.get(k) for k in wanted} != wanted:
        logger.warning(
            "The topic model in %s was written by scikit-learn %s (part version %s), not %s "
            "(%s): it is not loaded. Run `dateline intelligence train` to train a new one.",
            folder, meta.get("sklearn") if isinstance(meta, dict) else "?",
            meta.get("version") if isinstance(meta, dict) else "?",
            sklearn.__version__, version,
        )
        return None
    try:
        return joblib.load(folder / MODEL)
    except (OSError, EOFError, ValueError) as exc:
        logger.warning("The topic model in %s cannot be read (%s): train a new one.", folder, exc)
        return None
