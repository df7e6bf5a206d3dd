from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def readership_beacon(article) -> str:
    """The deferred script that counts one view of `article` when a browser shows the page
    (robots run no script); the same for every reader, so the page stays cacheable."""
    return format_html('<script src="{}" data-beacon="{}" defer></script>',
                       static("readership/beacon.js"),
                       reverse("readership:beacon", kwargs={"kind": "view", "key": article.pk}))
