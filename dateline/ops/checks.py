"""System checks for the operations settings, so a typo shows at `dateline check --deploy`."""

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
