import pytest

from .server import start_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real `dateline serve` on a database of its own, shared by a module's tests."""
    running = start_site(tmp_path_factory.mktemp("site"))
    yield running
    running.stop()
