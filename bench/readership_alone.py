"""`python bench/readership_alone.py`: only `make bench`'s readership rows (bench/readership.py),
against `dateline serve` on the 100k database of var/bench/ (built by `make bench` first), for
re-measuring the beacon without the page rows' twenty minutes."""

import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # bench/pages.py: the same server, ports and database
import readership


def main() -> None:
    hot, base = pages.article_paths(1)[0], f"http://127.0.0.1:{pages.APP_PORT}"
    server = pages.start_dateline("on")
    try:
        urllib.request.urlopen(base + hot).read()  # stored, as make bench has it
        readership.run(base, hot, readership.story_of(hot), where="the app alone")
    finally:
        pages.stop(server)


if __name__ == "__main__":
    main()
