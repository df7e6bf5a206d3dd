"""A request waiting on a child process hands its turn to another, and takes one back after."""

import threading

from dateline.base.turns import taking_turns, waiting


def test_a_waiting_request_lets_another_run_and_gets_its_turn_back():
    turns = threading.BoundedSemaphore(1)
    order, inside_wait, other_done = [], threading.Event(), threading.Event()

    def other() -> None:
        inside_wait.wait(timeout=10)
        with taking_turns(turns):  # the only turn: free only while the first one waits
            order.append("other ran")
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with taking_turns(turns):
        order.append("first ran")
        with waiting():
            inside_wait.set()
            assert other_done.wait(timeout=10)
        assert not turns.acquire(blocking=False)  # the turn is held again
        order.append("first went on")
    thread.join(timeout=10)
    assert order == ["first ran", "other ran", "first went on"]
    assert turns.acquire(blocking=False)  # and handed back at the end


def test_outside_taking_turns_waiting_changes_nothing():
    with waiting():
        pass


def test_a_request_inside_a_transaction_keeps_its_turn_while_it_waits(db):
    """Handed back while the request held the database (SQLite's write lock from BEGIN), the
    turn went to a request that then waited on that lock, while the first waited for the turn:
    an editor accepting a reader's photos held every POST on the site for 100 s."""
    from django.db import transaction

    turns = threading.BoundedSemaphore(1)
    with taking_turns(turns), transaction.atomic(), waiting():
        taken = turns.acquire(blocking=False)
        if taken:
            turns.release()  # handed back after all: returned, so that waiting() ends
        assert not taken  # still held: nobody else gets it
