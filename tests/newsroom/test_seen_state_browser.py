"""In Chromium: a refused save of the desk's plain forms takes the focus to its reason."""

import pytest
from django.db import connections

from dateline.newsroom.models import Source

from .journeys import logged_in_page

pytestmark = [pytest.mark.browser, pytest.mark.desk, pytest.mark.django_db(transaction=True)]


def test_a_colleagues_change_is_said_where_the_focus_goes(browser, live_server, make_user):
    """The refusal sat in the form (in an edition's table, a row far down the page) while the
    focus went to the generic "Please correct the error below."."""
    source = Source.objects.create(name="Le Monde", rights_holder="Le Monde")
    ann, ben = make_user("Editor", "ann"), make_user("Editor", "ben")
    connections.close_all()
    url = f"{live_server.url}/desk/newsroom/source/{source.pk}/change/"
    anns, bens = logged_in_page(browser, live_server.url, ann), logged_in_page(
        browser, live_server.url, ben)
    anns.goto(url)
    bens.goto(url)
    bens.fill("#id_rights_holder", "Le Monde SA")
    bens.click("input[name=_continue]")
    bens.wait_for_selector(".messagelist .success")
    anns.fill("#id_rights_holder", "Groupe Le Monde")
    anns.click("input[name=_continue]")
    anns.wait_for_selector(".errorlist.nonfield:focus", timeout=10_000)
    said = anns.evaluate("document.activeElement.textContent")
    assert "Someone saved a change to this since you opened it" in said
    assert "Rights holder (now “Le Monde SA”)" in said
