"""Demo outlets for `make run`: a small HTTP server on 127.0.0.1 that replays the archive in
../shared/corpus as four outlets' feeds (RSS 2.0, Atom, JSON Feed, ninjs), so the monitor has
something to show on a fresh machine. Every name says "Demo outlet … (replay)": none of them is
a live source, and every story is a real archive story with its time shifted to now."""
