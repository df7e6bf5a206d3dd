"""{% load pictures %}{% picture photo "4x3" sizes="(min-width: 60em) 30em, 100vw" %}"""

from django import template
from django.utils.safestring import SafeString

from dateline.pictures import display

register = template.Library()


@register.simple_tag
def picture(photo, shape: str = "16x9", sizes: str = "100vw", alt: str | None = None,
            loading: str = "lazy", css_class: str = "") -> SafeString:
    return display.picture(photo, shape, sizes, alt=alt, loading=loading, css_class=css_class)


@register.simple_tag(takes_context=True)
def picture_url(context, photo, shape: str = "16x9", min_width: int = 1200) -> str:
    """The absolute URL of a rendition at least `min_width` wide, for og:image and the like."""
    found = display.image_url(photo, shape, min_width, request=context.get("request"))
    return found[0] if found else ""
