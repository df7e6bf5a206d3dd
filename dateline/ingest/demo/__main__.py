"""`python -m dateline.ingest.demo --corpus DIR --port N --terms "Bulgaria,Sofia"`: the demo
outlets without Django's setup (which costs this project about 130 MB), as `dateline serve
--demo-outlets` runs them; `dateline demo_outlets` is the same server with the settings' terms."""

import argparse
import sys
from pathlib import Path

from dateline.ingest.demo.outlets import OUTLETS
from dateline.ingest.demo.server import serve_forever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dateline.ingest.demo", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--terms", default="", help="The site's watched terms, comma-separated.")
    options = parser.parse_args(argv)
    missing = sorted({o.corpus for o in OUTLETS if not (options.corpus / o.corpus).is_dir()})
    if missing:
        print(f"No {', '.join(missing)} under {options.corpus}.", file=sys.stderr)
        return 2
    terms = [term.strip() for term in options.terms.split(",") if term.strip()]
    serve_forever(options.corpus, options.port, terms, say=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
