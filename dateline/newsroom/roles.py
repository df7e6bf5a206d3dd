"""The desk's roles, as Django groups; a migration creates them, `sync_roles` keeps them current."""

import operator
from functools import reduce

CONTRIBUTOR = "Contributor"
REPORTER = "Reporter"
EDITOR = "Editor"
CHIEF_EDITOR = "Chief editor"

_READ_TAXONOMY = [
    "newsroom.view_section", "newsroom.view_tag", "newsroom.view_author", "newsroom.view_source",
]
_CONTRIBUTOR = [
    "newsroom.view_article", "newsroom.add_article", "newsroom.change_article",
    "newsroom.submit_article", "newsroom.view_revision", *_READ_TAXONOMY,
    # The photo library: everyone who writes adds photos and describes them.
    "pictures.view_photo", "pictures.add_photo", "pictures.change_photo",
]
_REPORTER = [
    *_CONTRIBUTOR, "newsroom.change_own_article_in_review",
    # Reporters at an event file live-coverage entries to the stories they own.
    "live.view_liveentry", "live.add_liveentry",
    # The foreign-media monitor and the outlets' items, to draw stories from (not the feeds).
    "ingest.view_cluster", "ingest.view_item",
]
_EDITOR = [
    *_REPORTER,
    "newsroom.change_any_article", "newsroom.return_article", "newsroom.publish_article",
    "newsroom.schedule_article", "newsroom.unpublish_article", "newsroom.correct_article",
    "newsroom.view_auditentry", "newsroom.view_articlenote", "newsroom.add_articlenote",
    "newsroom.add_tag", "newsroom.change_tag", "newsroom.add_source", "newsroom.change_source",
    "newsroom.add_author", "newsroom.change_author",
    # Editors run the site's structure day to day: they open and rename sections.
    "newsroom.add_section", "newsroom.change_section",
    "live.change_liveentry", "live.delete_liveentry",
    # Removing a photo from the library (one a story uses is refused all the same).
    "pictures.delete_photo",
    # Readers' reports carry their names and e-mail addresses: only those who decide on
    # them see them, so reporters do not.
    "submissions.view_submission", "submissions.view_submissionphoto",
    "submissions.view_moderationentry", "submissions.moderate_submission",
    # The daily edition: open the next one early, arrange and remove its stories, rebuild
    # it and send it now (dateline/edition/desk.py checks change_edition for both).
    "edition.view_edition", "edition.add_edition", "edition.change_edition",
    "edition.view_editionitem", "edition.change_editionitem", "edition.delete_editionitem",
    # Ingest: the outlets' feeds and their health (resumed, polled now), the monitor's terms,
    # press reviews' entries, and what failed to parse (read-only).
    "ingest.view_feed", "ingest.add_feed", "ingest.change_feed", "ingest.view_failedpayload",
    "ingest.view_watchedterm", "ingest.add_watchedterm", "ingest.change_watchedterm",
    "ingest.delete_watchedterm", "ingest.view_pressreviewentry", "ingest.add_pressreviewentry",
    "ingest.change_pressreviewentry", "ingest.delete_pressreviewentry",
    # Readership: views per story, section and hour (counts only; no reader in them).
    "readership.view_tally",
    # Advertising: the campaigns and their reports, read-only (the chief editor runs them).
    "ads.view_campaign", "ads.view_placement",
]
# The chief editor answers for everything: every permission of these apps.
# Among them the roles that require two-factor (newsroom.TwoFactorRole) and, through axes,
# lifting a lock-out by deleting its access attempt.
CHIEF_EDITOR_APPS = ["newsroom", "live", "submissions", "edition", "pictures", "ingest", "auth",
                     "django_tasks_database", "axes", "readership", "ads"]
# And of these models of other apps: WebSub's subscribers (syndication's since they moved out
# of live), and the partners and their API keys, which the chief editor issues and revokes.
CHIEF_EDITOR_MODELS = {"syndication": ["subscription", "intent", "partner", "apikey"]}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CONTRIBUTOR: _CONTRIBUTOR,
    REPORTER: _REPORTER,
    EDITOR: _EDITOR,
}


def sync_roles(apps, *, permissions_of=None) -> None:
    """Create the role groups and give each exactly its permissions (usable in migrations).

    The permissions of the apps in `permissions_of` are created first: of every app by
    default, since a migration runs before later apps' post_migrate has created theirs."""
    from django.contrib.auth.management import create_permissions
    from django.db.migrations.state import StateApps
    from django.db.models import Q

    for config in apps.get_app_configs() if permissions_of is None else permissions_of:
        if isinstance(apps, StateApps):
            # Historical app configs have no models module; create_permissions skips those.
            config.models_module = True
            create_permissions(config, apps=apps, verbosity=0)
            config.models_module = None
        else:
            create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Every role's permissions in one query: a query per name made this sync (run after each
    # migrate and each test-database flush) 150 queries long.
    named = {name for names in ROLE_PERMISSIONS.values() for name in names}
    existing = {f"{app}.{codename}": pk for pk, app, codename in Permission.objects.filter(
        content_type__app_label__in={name.split(".", 1)[0] for name in named},
        codename__in={name.split(".", 1)[1] for name in named},
    ).values_list("pk", "content_type__app_label", "codename")}
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        missing = [name for name in names if name not in existing]
        if missing and not isinstance(apps, StateApps):
            raise LookupError(f"role permission {missing[0]} does not exist")
        # Else a migration runs before a later app's tables exist: it grants what it can,
        # and the post_migrate sync at the end of every migrate grants the rest.
        group.permissions.set([existing[name] for name in names if name in existing])
    chief, _ = Group.objects.get_or_create(name=CHIEF_EDITOR)
    models_of_others = [Q(content_type__app_label=app, content_type__model__in=models)
                        for app, models in CHIEF_EDITOR_MODELS.items()]
    chief.permissions.set(Permission.objects.filter(
        Q(content_type__app_label__in=CHIEF_EDITOR_APPS) | reduce(operator.or_, models_of_others)
    ))

