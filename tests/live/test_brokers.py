"""Brokers are plug-ins like every other: named by dotted path, no built-in name taken twice."""

import re

import pytest
from django.test import override_settings

from dateline.base.plugins import AlreadyRegistered, PluginError
from dateline.live.brokers import Broker, get_broker, registry
from dateline.live.brokers.local import LocalBroker
from dateline.live.models import LiveEvent
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article

NOTING = f"{__name__}.NotingBroker"


class NotingBroker(Broker):
    """A broker a deployment adds: it notes what it was told to announce."""

    announced: list[int] = []

    def announce(self, event_id: int) -> None:
        self.announced.append(event_id)


@pytest.mark.django_db
@override_settings(DATELINE_LIVE_BROKERS={"noting": NOTING}, DATELINE_LIVE_BROKER="noting")
def test_a_broker_added_by_path_announces_each_committed_event(
    make_user, make_article, django_capture_on_commit_callbacks
):
    draft = make_article("Talks resume", status=Article.Status.DRAFT, published_at=None)
    NotingBroker.announced.clear()
    with django_capture_on_commit_callbacks(execute=True):
        TRANSITIONS["publish"].execute(make_user("Editor"), draft)
    assert NotingBroker.announced == [LiveEvent.objects.get().pk]
    assert isinstance(get_broker(), NotingBroker)


def test_the_built_ins_load_by_name_and_cannot_be_taken_by_another_class():
    assert registry.get("local") is LocalBroker
    assert registry.names() == ["local", "postgresql", "redis"]
    with override_settings(DATELINE_LIVE_BROKERS={"local": NOTING}), pytest.raises(
        AlreadyRegistered, match=re.escape(
            "A live broker named 'local' is already registered "
            f"(dateline.live.brokers.local.LocalBroker); give {NOTING} another name."
        )
    ):
        registry.get("local")


def test_an_unknown_broker_names_the_setting_and_the_choices():
    with pytest.raises(PluginError, match=re.escape(
        "DATELINE_LIVE_BROKER='pigeon': No live broker is named 'pigeon'; choose one of "
        "local, postgresql, redis or name its class in DATELINE_LIVE_BROKERS."
    )):
        get_broker("pigeon")


@pytest.mark.django_db
def test_a_redis_that_stops_answering_costs_a_publication_one_short_try(
        make_user, make_article, django_capture_on_commit_callbacks, caplog):
    from dateline.live.brokers import _broker
    from dateline.live.brokers.redis import ANNOUNCE_TIMEOUT_S
    from tests.silent_server import SilentPort

    silent = SilentPort()
    _broker.cache_clear()  # a broker is made once a process: this one on the silent port
    try:
        with override_settings(DATELINE_LIVE_BROKER="redis",
                               DATELINE_LIVE_REDIS_URL=silent.url):
            broker = get_broker()
            draft = make_article("Talks resume", status=Article.Status.DRAFT,
                                 published_at=None)
            with django_capture_on_commit_callbacks(execute=True):
                TRANSITIONS["publish"].execute(make_user("Editor"), draft)
    finally:
        _broker.cache_clear()
        silent.close()
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    event = LiveEvent.objects.get()  # in the table: the streams find it by polling
    (said,) = [r for r in caplog.records if r.name == "dateline.live.events"]
    assert said.getMessage() == (f"live broker unavailable; streams will find event {event.pk} "
                                 "by polling (Timeout reading from socket)")
    assert said.levelname == "WARNING" and said.exc_info is None
    # One try, of a second at most (redis-py's default waits 5 s, the desk's page with it).
    assert silent.connections == 1
    kwargs = broker.client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == ANNOUNCE_TIMEOUT_S
    assert broker.client.get_retry().get_retries() == 0
