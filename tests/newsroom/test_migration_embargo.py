"""Stories published under an embargo before the fix get their release time as publication time.

The database is taken back to the state before the migration, filled through that state's
models, and migrated forward as `dateline migrate` would.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.models import Article
from tests.syndication.websub.test_migration import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("newsroom", "0012_autosave_presence_desk_index")]


def test_a_story_published_under_embargo_takes_the_release_time_and_others_keep_theirs():
    old = migrate(BEFORE)
    OldArticle = old.get_model("newsroom", "Article")
    OldAudit = old.get_model("newsroom", "AuditEntry")
    Section = old.get_model("newsroom", "Section")
    section = Section.objects.create(name="World", slug="world", path="world",
                                     display_path="World")
    now = timezone.now()
    click, release = now - timedelta(hours=3), now - timedelta(hours=1)

    def story(headline, **fields):
        return OldArticle.objects.create(headline=headline, slug="s", body="<p>x</p>",
                                         section=section, status="published", **fields)

    # Embargoed first, then Publish clicked during the embargo: the old code kept the click.
    held = story("Held", published_at=click, embargo_until=release)
    OldAudit.objects.create(article=held, action="embargo")
    OldAudit.objects.filter(article=held).update(created_at=click - timedelta(minutes=5))
    # Out first, embargoed afterwards: the embargo only hid it for a while.
    hidden = story("Hidden", published_at=click, embargo_until=release)
    OldAudit.objects.create(article=hidden, action="embargo")
    OldAudit.objects.filter(article=hidden).update(created_at=click + timedelta(minutes=5))
    plain = story("Plain", published_at=click)

    migrate()

    assert Article.objects.get(pk=held.pk).published_at == release
    assert Article.objects.get(pk=hidden.pk).published_at == click
    assert Article.objects.get(pk=plain.pk).published_at == click
