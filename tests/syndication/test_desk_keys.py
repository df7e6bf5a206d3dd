"""The chief editor issues and revokes partners' API keys from the desk; others cannot."""

import re

import pytest

from dateline.syndication.models import ApiKey, Partner, hash_token

pytestmark = pytest.mark.django_db

LIST = "/api/ninjs/"
TOKEN = re.compile(r"(dl_[0-9a-f]{8}_[\w-]{20,})")


def test_the_chief_editor_issues_a_key_seen_once_and_revokes_it(desk_client, make_user, client):
    chief = desk_client(make_user("Chief editor"))
    response = chief.post("/desk/syndication/partner/add/", {
        "name": "Agency", "contact_email": "desk@agency.example", "ninjs_version": "3.1",
        "active": "on", "api_keys-TOTAL_FORMS": 0, "api_keys-INITIAL_FORMS": 0,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    partner = Partner.objects.get()
    response = chief.post("/desk/syndication/apikey/add/", {
        "partner": partner.pk, "label": "ingest", "rate_limit": 60, "active": "on",
    }, follow=True)
    assert response.status_code == 200
    key = ApiKey.objects.get()
    token = TOKEN.search(response.content.decode()).group(1)
    assert hash_token(token) == key.secret_hash  # stored hashed, never in clear
    for url in ("/desk/syndication/apikey/", f"/desk/syndication/apikey/{key.pk}/change/"):
        page = chief.get(url).content.decode()
        assert key.prefix in page and token not in page  # a second view does not show it
    chief.logout()
    assert client.get(LIST, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    chief = desk_client(make_user("Chief editor"))
    response = chief.post("/desk/syndication/apikey/", {
        "action": "revoke", "_selected_action": [key.pk], "index": 0,
    })
    assert response.status_code == 302
    chief.logout()
    answer = client.get(LIST, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


@pytest.mark.parametrize("role", ["Contributor", "Reporter", "Editor"])
def test_other_roles_can_neither_see_nor_issue_keys(desk_client, make_user, role):
    partner = Partner.objects.create(name="Agency", contact_email="desk@agency.example")
    other = desk_client(make_user(role))
    for url in ("/desk/syndication/apikey/", "/desk/syndication/apikey/add/",
                "/desk/syndication/partner/"):
        assert other.get(url).status_code == 403, url
    response = other.post("/desk/syndication/apikey/add/", {
        "partner": partner.pk, "label": "x", "rate_limit": 60, "active": "on"})
    assert response.status_code == 403 and not ApiKey.objects.exists()
