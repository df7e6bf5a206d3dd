"""Keep `dateline serve`'s child processes running: restart one that dies, give up on one that
keeps dying."""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# A child that dies this often is broken (a bad setting, a port taken, a task that kills it),
# not unlucky: restarting it again at once would only fill the log. The web server is the site:
# serve then stops, and its service manager starts it afresh. Any other child (the background
# worker, the live stream) rests, REST_S and then twice as long each time up to MAX_REST_S,
# while the site goes on serving readers without it: five kills of the worker in a minute had
# taken the whole site down.
MAX_DEATHS, DEATH_WINDOW_S = 5, 60.0
REST_S, MAX_REST_S = 30.0, 600.0
# How often the children are looked at: a dead one is restarted within this (plus its start).
POLL_S = 0.2
STOP_TIMEOUT_S = 30.0


# prctl(2): the signal the kernel sends a process when the thread that started it ends.
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def start_child(command: list[str], *, own_group: bool = False) -> subprocess.Popen:
    """Start a child that is sent SIGTERM when serve ends, however it ends (killed with
    SIGKILL, its terminal closed): granian, leading a group of its own that no terminal
    signals, would otherwise go on serving the port with no one watching it, and the next
    `dateline serve` would find its ports taken. `own_group`: the child leads a process group
    (granian: its workers go with it)."""
    return subprocess.Popen(command, process_group=0 if own_group else None,
                            preexec_fn=_ends_with(os.getpid()) if _LIBC else None)


def _ends_with(parent: int) -> Callable[[], None]:
    def in_the_child() -> None:  # between fork and exec; the request outlives exec
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # serve ended before the request took hold
            os.kill(os.getpid(), signal.SIGTERM)
    return in_the_child


class ChildKeepsDying(Exception):
    """A child died MAX_DEATHS times within DEATH_WINDOW_S."""


def describe_status(status: int) -> str:
    if status < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-status).name}"
        return f"killed by signal {-status}"
    return f"exit status {status}"


@dataclass
class Child:
    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen
    deaths: deque = field(default_factory=deque)
    # Whether it leads a process group of its own (granian: the main process and its workers).
    group_leader: bool = False
    # The web server: serve cannot go on without it.
    essential: bool = False
    # It beats itself (dateline.base.heartbeat): the watchdog kills it when it freezes.
    beats: bool = False
    rests: int = 0
    resting_until: float | None = None
    started_at: float = field(default_factory=time.monotonic)

    def signal_all(self, signum: int) -> None:
        """The child and, when it leads its own group, everything it started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.group_leader:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


class Supervisor:
    """Start children, restart each that dies, stop them all when told to."""

    def __init__(self, log: Callable[[str], None], watchdog=None) -> None:
        self.children: list[Child] = []
        self.log = log
        self.stopping = False
        self.watchdog = watchdog  # watchdog.Watchdog: granian's frozen workers killed

    def add(self, name: str, start: Callable[[], subprocess.Popen], *,
            essential: bool = False, beats: bool = False) -> None:
        self.children.append(self._started(Child(name, start, start(), essential=essential,
                                                 beats=beats)))

    @staticmethod
    def _started(child: Child) -> Child:
        # Known now, while it lives: once it is dead its pid may no longer name its group.
        child.group_leader = _group_of(child.process.pid) == child.process.pid
        child.started_at = time.monotonic()
        return child

    def request_stop(self, *_) -> None:
        self.stopping = True

    def run(self) -> None:
        """Watch until request_stop(); raise ChildKeepsDying when one cannot be kept up."""
        while not self.stopping:
            for child in self.children:
                if child.resting_until is not None:
                    self._wake(child)
                    continue
                status = child.process.poll()
                if status is not None and not self.stopping:
                    self._restart(child, status)
            if self.watchdog is not None and not self.stopping:
                self.watchdog.check({c.process.pid for c in self.children if c.group_leader},
                                    {c.process.pid for c in self.children if c.beats})
            time.sleep(POLL_S)

    def _restart(self, child: Child, status: int) -> None:
        # Its own children (granian's workers) would go on serving the port without a main
        # process to replace them when they die: they go with it.
        child.signal_all(signal.SIGKILL)
        now = time.monotonic()
        if child.rests and now - child.started_at > MAX_REST_S:
            child.rests = 0  # it ran well since its last rest: a new trouble starts short
        child.deaths.append(now)
        while child.deaths and now - child.deaths[0] > DEATH_WINDOW_S:
            child.deaths.popleft()
        if len(child.deaths) >= MAX_DEATHS:
            died = (f"The {child.name} died {len(child.deaths)} times within "
                    f"{DEATH_WINDOW_S:.0f} s, the last time with {describe_status(status)}")
            if child.essential:
                raise ChildKeepsDying(f"{died}; stopping everything. Its own messages above "
                                      "say why.")
            rest = min(REST_S * 2 ** child.rests, MAX_REST_S)
            child.rests += 1
            child.resting_until = now + rest
            child.deaths.clear()
            self.log(f"{died}; the site goes on without it, and it is started again in "
                     f"{rest:.0f} s. Its own messages above say why.")
            return
        self.log(f"The {child.name} stopped ({describe_status(status)}); restarting it.")
        child.process = child.start()
        self._started(child)

    def _wake(self, child: Child) -> None:
        if self.stopping or time.monotonic() < child.resting_until:
            return
        child.resting_until = None
        self.log(f"Starting the {child.name} again after its rest.")
        child.process = child.start()
        self._started(child)

    def stop(self) -> None:
        """SIGTERM to every child; SIGKILL to any still running after STOP_TIMEOUT_S."""
        self.stopping = True
        for child in self.children:
            if child.process.poll() is None:
                child.signal_all(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.signal_all(signal.SIGKILL)
                child.process.wait()
