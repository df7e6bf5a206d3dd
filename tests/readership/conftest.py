import pytest

from dateline.readership import counting, repeats

BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Safari/537.36")


@pytest.fixture(autouse=True)
def empty_batch():
    """Each test starts and ends with nothing counted in memory, no sender's repeats either."""
    counting._batch.clear()
    repeats.forget()
    yield
    counting._batch.clear()
    repeats.forget()
