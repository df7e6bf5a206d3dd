"""Stories already on the site get the time their latest change reached partners, by the rule
new saves follow (Article.reaches_the_wire), so that the changes feed starts complete.

The database is taken back to the state before the migration, filled through that state's
models, and migrated forward as `dateline migrate` would.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article
from tests.syndication.websub.test_migration import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("newsroom", "0017_add_page_key")]


def test_each_story_reaches_the_wire_when_its_latest_change_did():
    old = migrate(BEFORE)
    OldArticle = old.get_model("newsroom", "Article")
    Section = old.get_model("newsroom", "Section")
    section = Section.objects.create(name="World", slug="world", path="world",
                                     display_path="World")
    now = timezone.now()
    hour = timedelta(hours=1)

    def story(headline, status="published", **fields):
        return OldArticle.objects.create(headline=headline, slug="s", body="<p>x</p>",
                                         section=section, status=status, **fields).pk

    corrected = story("Corrected", published_at=now - 5 * hour, modified_at=now - 2 * hour)
    imported = story("Archive", published_at=now - 900 * hour, modified_at=now - 3 * hour,
                     imported_at=now - 3 * hour)
    edited_after_import = story("Edited", published_at=now - 900 * hour,
                                modified_at=now - hour, imported_at=now - 3 * hour)
    embargoed = story("Embargoed", published_at=now - 5 * hour, modified_at=now - 4 * hour,
                      embargo_until=now + hour)
    killed = story("Killed", status="unpublished", published_at=now - 5 * hour,
                   modified_at=now - 2 * hour)
    draft = story("Draft", status="draft", modified_at=now - hour)

    migrate()

    wire = dict(Article.objects.values_list("pk", "wire_changed_at"))
    assert wire == {corrected: now - 2 * hour, imported: now - 900 * hour,
                    edited_after_import: now - hour, embargoed: now + hour,
                    killed: now - 2 * hour, draft: None}
