"""Starting and stopping the servers a benchmark measures, shared by every benchmark."""

import os
import signal
import subprocess
import time
import urllib.request


def wait_for(url: str, timeout: float = 60, log: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    hint = f" (see {log})" if log else ""
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s{hint}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
