"""A story's state in an editor's words, for the story list and the editor's own page."""

from django.utils import timezone

from ..models import Article

Status = Article.Status
# States in which a save reaches readers, now or at a set time.
GONE_OUT = (Status.PUBLISHED, Status.SCHEDULED)


def status_label(article: Article) -> str:
    """The state as an editor says it: when a scheduled story goes out, until when one is held."""
    embargoed = article.embargo_until and article.embargo_until > timezone.now()
    if article.status == Status.PUBLISHED and embargoed:
        return f"Embargoed until {_local(article.embargo_until)}"
    if article.status == Status.SCHEDULED and article.scheduled_for:
        said = f"Scheduled for {_local(article.scheduled_for)}"
    else:
        said = article.get_status_display()
    # An embargo set before publishing holds the story then too: the list said "Draft" alone.
    if embargoed and article.status != Status.UNPUBLISHED:
        said += f", embargoed until {_local(article.embargo_until)}"
    return said


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}"


def moved_by(article: Article) -> str:
    """"Ann Lee published this story at 09:16:02": who last moved it, and when."""
    moved = (article.audit_log.exclude(to_status="").select_related("user").first())
    if moved is None:
        return "Someone moved this story"
    who = "The scheduler" if moved.user is None else (
        moved.user.get_full_name() or moved.user.get_username())
    verb = {Status.PUBLISHED: "published", Status.SCHEDULED: "scheduled"}.get(
        moved.to_status, "moved")
    return f"{who} {verb} this story at {timezone.localtime(moved.created_at):%H:%M:%S}"
