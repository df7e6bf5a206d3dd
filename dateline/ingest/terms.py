"""The monitor's watched terms start as the site's country and its variants
(DATELINE_WATCHED_TERMS), seeded after migrate while there are none; the desk edits them."""

from django.conf import settings


def seed_watched_terms(sender, **kwargs) -> None:
    from django.apps import apps as global_apps

    apps = kwargs.get("apps") or global_apps
    WatchedTerm = apps.get_model("ingest", "WatchedTerm")
    if not WatchedTerm.objects.exists():
        WatchedTerm.objects.bulk_create(
            WatchedTerm(term=term) for term in dict.fromkeys(settings.DATELINE_WATCHED_TERMS))
