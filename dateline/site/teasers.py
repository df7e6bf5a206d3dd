"""A story's teaser in a listing, written by Python rather than by a template include.

A listing shows up to 60 teasers; as an `{% include %}` each cost a fresh context, two URL
reversals and two date formats, most of a listing's render time (profiled on the 100k
bench database). The markup is the one `site/includes/teaser.html` had, byte for byte.

The URLs (`dateline.base.addresses`) and datelines are memoised: pure functions of the
story's id and slug, a section's path, and a moment with the active time zone and language,
so nothing here can go stale.
"""

from functools import lru_cache
from html import escape as html_escape

from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from dateline.base.addresses import address
from dateline.newsroom.datelines import house_dateline

# Enough for every story a busy site shows on its listings and asides at once.
_MEMO = 20_000


def article_url(pk: int, slug: str) -> str:
    return address("site:article", pk=pk, slug=slug)


def section_url(path: str) -> str:
    return address("site:section", path=path)


def iso_datetime(moment) -> str:
    # Whole seconds: HTML allows at most three digits of a fraction in a datetime attribute.
    return _both_formats(moment)[0]


def dateline(moment) -> str:
    """`house_dateline`, remembered for the moments listings show again and again."""
    return _both_formats(moment)[1]


def _both_formats(moment) -> tuple[str, str]:
    """(iso_datetime, dateline) from one look at the active time zone and language (a
    context-local lookup each, a fifth of a teaser's time when each format looked again)."""
    if not moment:
        return "", ""
    return _formats(moment, timezone.get_current_timezone_name(), translation.get_language())


@lru_cache(maxsize=_MEMO)
def _formats(moment, zone: str, language: str | None) -> tuple[str, str]:
    return timezone.localtime(moment).isoformat(timespec="seconds"), house_dateline(moment)


def conditional_escape(value) -> str:
    """Django's `conditional_escape`, byte for byte, without its check of every argument for
    a lazy string on each call (a sixth of a teaser's time; six calls a teaser)."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else html_escape(str(value))


def teaser(story, level: int = 3, lead: bool = False, show_section: bool = False,
           compact: bool = False) -> SafeString:
    """The teaser of `story` (headline, teaser text, section, time, thumbnail)."""
    level = level or 3
    thumbnail = getattr(story, "thumbnail", "")
    classes = "teaser" + (" teaser-lead" if lead else "") + (" has-photo" if thumbnail else "")
    text = "" if compact else f'<p class="teaser-text">{conditional_escape(story.teaser)}</p>'
    section = ""
    if show_section:
        shown = story.section
        section = (f'<a class="section-path" href="{conditional_escape(section_url(shown.path))}">'
                   f'{conditional_escape(shown.display_path)}</a> '
                   '<span aria-hidden="true">·</span> ')
    moment = story.published_at
    # An undated archive's story carries its import's time: said, so that a 2004 report is
    # not read as today's news (its page says the same under its dateline).
    # Read only where loaded (a deferred field would cost a query a teaser).
    undated = story.__dict__.get("published_at_is_import_time", False)
    when = "Undated; added to the archive " if undated else ""
    photo = f'<div class="teaser-photo">{conditional_escape(thumbnail)}</div>' if thumbnail else ""
    iso, dated = _both_formats(moment)
    return mark_safe(
        f'<article class="{classes}">\n'
        f'  <h{level} class="teaser-headline"><a href="'
        f'{conditional_escape(article_url(story.pk, story.slug))}">'
        f'{conditional_escape(story.headline)}</a></h{level}>\n'
        f"  {text}\n"
        f'  <p class="teaser-meta">{section}{when}<time datetime="{iso}">'
        f"{conditional_escape(dated)}</time></p>\n"
        f"  {photo}\n"
        "</article>\n"
    )
