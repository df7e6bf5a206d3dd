"""Breaking news marked or ended reaches partners: the story's wire item carries it as its
urgency (IPTC 1, else 5), and goes again as a new version. Before, the item changed on the
changes feed with the version the partner held, and a system that takes an item again only
when its version grows kept the old urgency."""


import pytest

from ..syndication.test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from ..syndication.test_changes import settled_at_once  # noqa: F401
from ..syndication.test_resending import changes_since
from ..syndication.test_superdesk import superdesk_takes_again, went_out_earlier

pytestmark = pytest.mark.django_db


def test_breaking_news_marked_and_ended_goes_to_partners_as_new_versions(
        api, desk_client, make_user, make_article, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    story = make_article("Earthquake hits the coast")
    client = desk_client(make_user("Chief editor", "chief"))
    went_out_earlier(story, 60)  # each switch below a while after the last, as at a desk
    since = story.wire_changed_at
    held = changes_since(api, since)[0]
    assert held["urgency"] == 5
    for switch, urgency, then in (("on", 1, 30), ("off", 5, 0)):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": switch})
        assert answer.status_code == 302
        went_out_earlier(story, then)
        item = changes_since(api, since)[0]
        assert item["urgency"] == urgency and superdesk_takes_again(item, held)
        held = item
    story.refresh_from_db()
    assert story.version == 1  # the desk's own: an editor's open form is not stale
