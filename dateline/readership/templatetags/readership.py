from django import template
from django.utils.html import format_html

from dateline.base.addresses import address, asset

register = template.Library()


@register.simple_tag
def readership_beacon(article) -> str:
    """The deferred script that counts one view of `article` when a browser shows the page
    (robots run no script); the same for every reader, so the page stays cacheable."""
    return format_html('<script src="{}" data-beacon="{}" defer></script>',
                       asset("readership/beacon.js"),
                       address("readership:beacon", kind="view", key=article.pk))
