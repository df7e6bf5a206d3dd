"""Browsers ask for /favicon.ico whatever the page names: sent on to the site's icon."""

import pytest
from django.templatetags.static import static


@pytest.mark.django_db
def test_the_old_icon_address_moves_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("site/favicon.svg")
