"""Signals other apps listen to, and the upkeep of the role groups."""

from django.db.models.signals import post_migrate
from django.dispatch import Signal

# Sent after the transaction commits, with article=, action= and previous= (the old status).
article_status_changed = Signal()
# Sent after the transaction commits when an article's text or metadata was saved.
article_saved = Signal()
# Sent when an embargo ends and the article becomes visible, with article=.
embargo_released = Signal()
# Sent inside the transaction of a bulk write (an import) that bypassed the models' save
# signals, with count= and pks= (the ids written).
articles_bulk_changed = Signal()
# Sent inside the transaction of a change readers will see, with kind= and article_id=:
# a story "published", "updated", made "breaking" or "unpublished" (deleted too), or a
# live-coverage "entry" added or removed ("entry-removed"). dateline.live decides what counts
# and sends it with its LiveEvent; dateline.site sends "updated" (sender StoryPhoto, no
# LiveEvent) when the words of a photo a live story carries change. Receivers that act on the
# change wait for the commit (transaction.on_commit).
public_story_changed = Signal()
# Sent after the database's contents were replaced as a whole (`dateline restore`), outside
# any transaction: whatever was kept of the old contents anywhere (cached pages and parts,
# searches, figures) describes stories that may no longer exist or read otherwise.
database_replaced = Signal()
# Sent while a story's public page is rendered, with article= (its tags, authors, sources and
# notes loaded): each receiver returns a dict the story's template gets as well, or None.
# dateline.live adds `coverage`; the site shows what it is given, knowing no other app.
story_page_rendering = Signal()
# Sent inside the transaction of a move that makes a story public or books it to be (publish,
# schedule, embargo), with article= and action=: a receiver refuses by raising ActionRefused
# with words for the desk. Apps that own parts of a story (its photos) check them here. A
# receiver returns True where its app gives the story its text (a press review's entries):
# a story whose body shows nothing is otherwise refused.
publication_checks = Signal()


def sync_roles_after_migrate(sender, **kwargs) -> None:
    """Keep the role groups whole after every migrate and after test-database flushes.

    It waits for the last app's post_migrate: Django has created every earlier app's
    permissions by then, and this receiver, connected before Django's, creates the last
    app's itself. (At newsroom's own post_migrate it created every app's again first, twice
    the work of each test-database flush.)"""
    from django.apps import apps as global_apps

    from .roles import sync_roles

    last = [config for config in global_apps.get_app_configs()
            if config.models_module is not None][-1]
    if sender.label == last.label:
        apps = kwargs.get("apps") or global_apps
        sync_roles(apps, permissions_of=[apps.get_app_config(sender.label)])


post_migrate.connect(sync_roles_after_migrate, dispatch_uid="dateline.sync_roles")
