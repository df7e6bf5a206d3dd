"""The desk's Content Security Policy reaches every /desk/ answer, and only those."""

import pytest
from django.conf import settings
from django.utils.csp import CSP, build_policy

from dateline.newsroom.desk.csp import desk_policy

pytestmark = pytest.mark.django_db

HEADER = CSP.HEADER_ENFORCE


def test_the_desk_policy_allows_the_editors_import_map_and_inline_styles_only_there():
    policy = desk_policy()
    assert [s for s in policy["script-src"] if s.startswith("'sha256-")], "no import map hash"
    assert CSP.UNSAFE_INLINE in policy["style-src"]
    assert CSP.UNSAFE_INLINE not in policy["script-src"]


@pytest.mark.parametrize("path", ["/desk/login/", "/desk/", "/desk/no-such-screen/",
                                  "/desk/live/no-such-screen/"])
def test_every_desk_answer_carries_the_desk_policy(client, make_user, path):
    client.force_login(make_user("Editor"))
    response = client.get(path)
    assert response[HEADER] == build_policy(desk_policy())


def test_the_public_site_keeps_the_sites_policy(client):
    response = client.get("/")
    assert response[HEADER] == build_policy(settings.SECURE_CSP)
    assert response[HEADER] != build_policy(desk_policy())
