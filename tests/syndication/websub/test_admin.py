"""The desk lists subscriptions and waiting requests; it may remove them, not make them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.syndication.websub.models import Intent, Subscription

pytestmark = pytest.mark.django_db


def test_the_chief_editor_sees_subscriptions_but_cannot_add_or_edit_them(desk_client,
                                                                         make_user):
    subscription = Subscription.objects.create(
        topic="http://testserver/feeds/rss/", topic_path="/feeds/rss/",
        callback="https://partner.example/push", callback_host="partner.example",
        secret="never shown", lease_seconds=3600,
        expires_at=timezone.now() + timedelta(hours=1), last_error="the callback answered 500",
    )
    Intent.objects.create(mode="subscribe", topic=subscription.topic, topic_path="/feeds/rss/",
                          callback="https://other.example/push", callback_host="other.example",
                          lease_seconds=3600)
    client = desk_client(make_user("Chief editor"))
    listing = client.get("/desk/syndication/subscription/").content.decode()
    assert "partner.example" in listing and "the callback answered 500" in listing
    page = client.get(f"/desk/syndication/subscription/{subscription.pk}/change/").content.decode()
    assert "https://partner.example/push" in page and "never shown" not in page
    assert "other.example" in client.get("/desk/syndication/intent/").content.decode()
    assert client.get("/desk/syndication/subscription/add/").status_code == 403
    assert client.get("/desk/syndication/subscription/").status_code == 200


def test_editors_do_not_see_them(desk_client, make_user):
    client = desk_client(make_user("Editor"))
    assert client.get("/desk/syndication/subscription/").status_code == 403


def test_the_desk_pages_from_before_the_move_to_syndication_redirect(client):
    old = client.get("/desk/live/subscription/7/change/?_changelist_filters=q%3Dx")
    assert old.status_code == 301
    assert old["Location"] == "/desk/syndication/subscription/7/change/?_changelist_filters=q%3Dx"
    assert client.get("/desk/live/intent/")["Location"] == "/desk/syndication/intent/"
