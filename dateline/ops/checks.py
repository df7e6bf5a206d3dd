"""System checks for the operations settings, so a typo shows at `dateline check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from .access import allowed_networks


@register(Tags.security)
def metrics_allowed_ips(app_configs, **kwargs) -> list[Error]:
    """Refuse an entry of DATELINE_METRICS_ALLOWED_IPS that is not an address or network."""
    try:
        allowed_networks()
    except ValueError as error:
        return [Error(f"DATELINE_METRICS_ALLOWED_IPS: {error}", id="dateline_ops.E001")]
    return []


@register()
def numbers_never_grouped(app_configs, **kwargs) -> list[Error]:
    """Refuse USE_THOUSAND_SEPARATOR. The reader's pages write their ids unlocalised, but the
    desk's templates write a revision's, a cluster's or a photo's id as `{{ r.pk }}` into the
    forms and addresses that act on it: grouped, 12345 would read 12,345 and the form would
    restore, merge or open nothing."""
    if settings.USE_THOUSAND_SEPARATOR:
        return [Error("USE_THOUSAND_SEPARATOR must stay off: the desk's forms write ids as "
                      "numbers, and grouped ones (12,345) name nothing.", id="dateline_ops.E002")]
    return []
