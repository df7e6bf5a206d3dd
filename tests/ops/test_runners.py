"""Django runs on a few threads of its own (dateline.ops.serving.runners), however many of
granian's threads bring requests: each thread has its own database connection and caches."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.signals import request_finished
from django.http import HttpResponse, StreamingHttpResponse

from dateline.base.turns import waiting
from dateline.ops.serving.bulkhead import Bulkhead
from dateline.ops.serving.runners import OneAtATime, Runners, default_patience


def get() -> dict:
    return {"REQUEST_METHOD": "GET", "CONTENT_LENGTH": "", "wsgi.input": None}


def test_many_callers_threads_run_the_app_on_at_most_as_many_threads_as_slots():
    ran_on, lock = set(), threading.Lock()

    def app(environ, start_response):
        with lock:
            ran_on.add(threading.get_ident())
        time.sleep(0.005)
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=2)
    callers = set()

    def call(_):
        callers.add(threading.get_ident())
        return bulkhead(get(), None)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(call, range(200)))
    assert answers == [[b"ok"]] * 200
    assert len(callers) > 2  # granian's way: requests came on many threads
    assert len(ran_on) <= 2 and not ran_on & callers
    assert bulkhead.runners.threads <= 2


def test_an_error_in_the_app_reaches_the_caller_and_gives_the_turn_back():
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/fails":
            raise LookupError("the view's own error")
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=1)
    with pytest.raises(LookupError, match="the view's own error"):
        bulkhead(get() | {"PATH_INFO": "/fails"}, None)
    # The only slot is free again, and the runner serves on.
    assert bulkhead(get() | {"PATH_INFO": "/"}, None) == [b"ok"]
    assert bulkhead.runners.threads == 1


def test_a_whole_response_comes_back_in_one_piece_closed_on_the_thread_that_built_it():
    built_on, finished_on = [], []

    def app(environ, start_response):
        built_on.append(threading.get_ident())
        response = HttpResponse(b"page ")
        response.write(b"body")
        start_response("200 OK", list(response.items()))
        return response

    def finished(**_):
        finished_on.append(threading.get_ident())

    started = []
    request_finished.connect(finished)
    try:
        answer = Runners().run((threading.BoundedSemaphore(1),), app, get(),
                               lambda status, headers: started.append(status))
    finally:
        request_finished.disconnect(finished)
    assert answer == [b"page body"]
    assert started == ["200 OK"]
    # request_finished cleans the connections and caches of the thread it runs on: the one
    # whose connection served the request.
    assert finished_on == built_on and built_on != [threading.get_ident()]


class RecordedStream(StreamingHttpResponse):
    closed_on = None

    def close(self) -> None:  # Django's would send request_finished: recorded instead
        self.closed_on = threading.get_ident()


def test_a_streamed_response_is_left_to_the_caller_to_iterate_and_close():
    def app(environ, start_response):
        return RecordedStream(iter([b"a ", b"file"]))

    answer = Runners().run((threading.BoundedSemaphore(1),), app, get(), None)
    assert isinstance(answer, RecordedStream) and answer.closed_on is None
    assert b"".join(answer) == b"a file"
    answer.close()  # as granian does, once it has sent it
    assert answer.closed_on == threading.get_ident()


def test_a_request_lending_its_turn_lets_another_run_on_another_runner():
    lent, other_done = threading.Event(), threading.Event()
    ran_on = {}

    def app(environ, start_response):
        ran_on[environ["PATH_INFO"]] = threading.get_ident()
        if environ["PATH_INFO"] == "/waits":
            with waiting():  # as a reader's photo being decoded by a child process
                lent.set()
                assert other_done.wait(timeout=10)
        return [environ["PATH_INFO"].encode()]

    bulkhead = Bulkhead(app, slots=1)
    bulkhead.runners.patience = 30.0  # the turn to run alone is lent too, not waited out
    with ThreadPoolExecutor(2) as pool:
        waits = pool.submit(bulkhead, get() | {"PATH_INFO": "/waits"}, None)
        assert lent.wait(timeout=10)
        began = time.monotonic()
        other = pool.submit(bulkhead, get() | {"PATH_INFO": "/other"}, None)
        assert other.result(timeout=10) == [b"/other"]
        assert time.monotonic() - began < 5
        other_done.set()
        assert waits.result(timeout=10) == [b"/waits"]
    assert ran_on["/waits"] != ran_on["/other"]


def test_the_turns_are_taken_before_a_runner_is_chosen():
    """A caller waits for its turn on its own thread: a runner is never held by a request
    that has no turn yet."""
    turn = threading.BoundedSemaphore(1)
    turn.acquire()
    runners = Runners()
    with ThreadPoolExecutor(1) as pool:
        waiting_call = pool.submit(runners.run, (turn,), lambda e, s: [b"ok"], get(), None)
        time.sleep(0.1)
        assert not waiting_call.done() and runners.threads == 0
        turn.release()
        assert waiting_call.result(timeout=10) == [b"ok"]
    assert runners.threads == 1


def test_calls_quicker_than_the_patience_run_one_at_a_time_on_one_thread():
    """Two threads rendering at once hand the interpreter's lock back and forth at every step
    of every SQLite statement: pages that take their turn one after another, on the same
    thread, cost a third less CPU."""
    running, most, ran_on, lock = 0, 0, set(), threading.Lock()

    def app(environ, start_response):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            ran_on.add(threading.get_ident())
        time.sleep(0.002)
        with lock:
            running -= 1
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=2)
    bulkhead.runners.patience = 5.0
    with ThreadPoolExecutor(16) as pool:
        assert list(pool.map(lambda _: bulkhead(get(), None), range(100))) == [[b"ok"]] * 100
    assert most == 1
    assert len(ran_on) == 1


def test_a_call_slower_than_the_patience_lets_the_next_run_beside_it():
    slow_started, finish_slow = threading.Event(), threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/slow":  # a search scanning much, a frozen database
            slow_started.set()
            assert finish_slow.wait(timeout=10)
        return [environ["PATH_INFO"].encode()]

    bulkhead = Bulkhead(app, slots=2)
    bulkhead.runners.patience = 0.05
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(bulkhead, get() | {"PATH_INFO": "/slow"}, None)
        assert slow_started.wait(timeout=10)
        began = time.monotonic()
        assert bulkhead(get() | {"PATH_INFO": "/page"}, None) == [b"/page"]
        waited = time.monotonic() - began
        finish_slow.set()
        assert slow.result(timeout=10) == [b"/slow"]
    assert 0.05 <= waited < 5
    # The turn to run alone is free again: the next call goes straight in.
    assert bulkhead.runners.alone.take(0)


def test_the_turn_to_run_alone_goes_to_those_waiting_in_the_order_they_came():
    turn, order = OneAtATime(), []
    assert turn.take(0)
    queued = []

    def wait(name):
        queued.append(name)
        if turn.take(10):
            order.append(name)
            turn.hand_on()

    first = threading.Thread(target=wait, args=("first",))
    first.start()
    while not turn._waiting:
        time.sleep(0.001)
    second = threading.Thread(target=wait, args=("second",))
    second.start()
    while len(turn._waiting) < 2:
        time.sleep(0.001)
    turn.hand_on()
    first.join(10)
    second.join(10)
    assert order == ["first", "second"]
    assert turn.take(0)  # handed on by the last: free


def test_a_waiter_out_of_patience_goes_on_without_the_turn_and_leaves_it_consistent():
    turn = OneAtATime()
    assert turn.take(0)
    began = time.monotonic()
    assert not turn.take(0.05)
    assert time.monotonic() - began >= 0.05
    assert not turn._waiting  # it left the queue
    turn.hand_on()
    assert turn.take(0) and not turn.take(0)


def test_only_sqlites_runners_take_turns_unless_told(monkeypatch):
    monkeypatch.delenv("DATELINE_RUN_ALONE_MS", raising=False)
    assert default_patience("dateline.db.backends.sqlite3") == 0.02
    # PostgreSQL's statements run in its server: a runner waiting for one leaves the core.
    assert default_patience("django.db.backends.postgresql") == 0
    monkeypatch.setenv("DATELINE_RUN_ALONE_MS", "0")
    assert default_patience("dateline.db.backends.sqlite3") == 0
    monkeypatch.setenv("DATELINE_RUN_ALONE_MS", "5")
    assert default_patience("django.db.backends.postgresql") == 0.005


def test_with_no_patience_every_slot_runs_at_once():
    both_in = threading.Barrier(2, timeout=10)

    def app(environ, start_response):
        both_in.wait()  # only passes when the two calls run side by side
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=2)
    bulkhead.runners.patience = 0
    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda _: bulkhead(get(), None), range(2))) == [[b"ok"]] * 2
