import pytest

from tests.newsroom.test_scheduling import run_worker

from .subscriber import Subscriber

TOPIC = "http://testserver/feeds/rss/"


@pytest.fixture
def subscriber():
    running = Subscriber()
    yield running
    running.close()


@pytest.fixture
def second_subscriber():
    running = Subscriber()
    yield running
    running.close()


@pytest.fixture
def hub(client):
    """Post a request to the hub: hub(mode="subscribe", topic=..., callback=..., secret=...)."""

    def post(**fields):
        return client.post("/websub/", {f"hub.{name}": value for name, value in fields.items()})

    return post


@pytest.fixture
def subscribe(hub):
    """Subscribe a callback and let the worker verify it, as a partner's server would."""

    def subscribe_and_verify(callback: str, topic: str = TOPIC, **fields):
        response = hub(mode="subscribe", topic=topic, callback=callback, **fields)
        assert response.status_code == 202, response.content
        run_worker()

    return subscribe_and_verify
