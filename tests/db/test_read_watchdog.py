"""The watchdog of public reads (dateline.db.limits) looks when a read could have passed its
limit, not every few milliseconds of every request: a thread spends at most a second of CPU a
second, so a request with 120 ms of budget left cannot pass it within the next 120 ms."""

import math
import time

from dateline.db import limits


class Budget:
    """A request's budget as the watchdog sees it: how long it stays within its limit."""

    def __init__(self, quiet: float, fails: bool = False) -> None:
        self.quiet, self.fails, self.watched = quiet, fails, 0

    def watch(self) -> None:
        self.watched += 1
        if self.fails:
            raise OSError("the connection closed meanwhile")

    def quiet_for(self) -> float:
        return self.quiet


def test_it_waits_until_the_soonest_a_read_could_pass_its_limit():
    dog = limits._Watchdog()
    budgets = [Budget(0.12), Budget(0.4), Budget(0.3, fails=True)]
    assert dog.look(budgets) == 0.12
    assert [b.watched for b in budgets] == [1, 1, 1]  # one failing does not end the others
    assert dog.look([Budget(5.0)]) == dog.LONGEST
    # Past or at its limit: looked at again every few milliseconds until it is stopped.
    assert dog.look([Budget(0.12), Budget(-0.02)]) == dog.EVERY


def test_a_request_with_a_shorter_limit_wakes_it_early():
    dog = limits._Watchdog()
    dog.thread = type("Running", (), {"is_alive": lambda self: True})()  # no real thread
    dog.until = time.monotonic() + 0.5  # waiting on a request with half a second left
    dog.add(Budget(0.6))
    assert not dog.nudge.is_set()
    dog.add(Budget(0.001))
    assert dog.nudge.is_set()
    dog.nudge.clear()
    dog.until = math.inf  # while it looks, any request added wakes it again
    dog.add(Budget(10.0))
    assert dog.nudge.is_set()


def test_a_sqlite_budget_is_quiet_for_what_it_has_left():
    budget = limits._SQLiteBudget(0.12)
    assert budget.quiet_for() == 0.12
    budget.spent = 0.05
    assert math.isclose(budget.quiet_for(), 0.07)
    # A statement running: what it has used of its thread's CPU counts too.
    budget.spent_before, budget.executing_since = 0.05, time.clock_gettime(budget.clock) - 0.03
    assert budget.quiet_for() <= 0.04


def test_a_silent_server_watch_is_quiet_until_its_deadline():
    watch = limits._SocketWatch()
    assert watch.quiet_for() == limits.SILENT_SERVER_MARGIN_S
    watch.deadline = time.monotonic() + 3.0
    assert 2.5 < watch.quiet_for() <= 3.0
