"""The `browser` fixture's teardown: the test database is emptied only once the live server has
answered what the test's closed pages had sent (conftest.py)."""

import threading
import time

from tests.conftest import _wait_for_requests_in_flight


def test_the_teardown_waits_for_a_request_the_server_is_still_answering():
    answered = threading.Event()

    def process_request_thread():  # named as socketserver's request threads are
        time.sleep(0.3)
        answered.set()

    threading.Thread(target=process_request_thread, daemon=True).start()
    _wait_for_requests_in_flight()
    assert answered.is_set()

