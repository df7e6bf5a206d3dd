"""Store a reader's report: the submission, its photos and the first entry of its log."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dateline.base.hashes import sender_hash
from dateline.newsroom.models import Article

from .forms import ReportForm
from .models import ModerationEntry, Submission, SubmissionPhoto

RECEIVED = "received"
SPAM = "spam"
# A report sent again within this is the one already filed. Going back from the thanks page
# gives a new form page (it is never kept), which Chromium refills, ticked terms and all: a
# second "Send" filed it twice, mailed twice and counted against the reader's hourly limit.
RESENT_WITHIN = timedelta(days=1)


def story_for(value) -> Article | None:
    """The live article a reader came from, if the id names one."""
    if not isinstance(value, int):
        return None
    return Article.objects.live().only("pk", "headline", "slug").filter(pk=value).first()


def _user_agent(request: HttpRequest) -> str:
    agent = request.headers.get("User-Agent", "")
    return "".join(c for c in agent if c.isprintable())[:300]


def already_received(sending: str | None) -> Submission | None:
    """The report sent from the form page with this one-time key, if one was."""
    return Submission.objects.filter(sent_with=sending).first() if sending else None


def _received_note(story: Article | None) -> str:
    """The first line of a report's log: where it was sent from."""
    if story is None:
        return "Sent with the form."
    return f"Sent with the form, from the story “{story.headline}” ({story.get_absolute_url()})."


def same_report(form: ReportForm, story: Article | None) -> Submission | None:
    """The report filed in the last RESENT_WITHIN from the same address with the same
    headline, text and photos, about the same story, if there is one: this form's, sent again
    from another page."""
    data = form.cleaned_data
    photos = sorted((p.format, p.width, p.height, len(p.data)) for p in form.clean_photos_list)
    words = " ".join(data["text"].split())
    candidates = (Submission.objects
                  .filter(created_at__gte=timezone.now() - RESENT_WITHIN,
                          email__iexact=data["email"], headline=data["headline"])
                  .exclude(status=Submission.Status.SPAM).prefetch_related("photos")[:20])
    # From the same story (its id, whatever its headline or slug since), or from none.
    came_from = (Q(note=_received_note(None)) if story is None
                 else Q(note__contains=f"/articles/{story.pk}/"))
    for earlier in candidates:
        if (" ".join(earlier.text.split()) == words
                and earlier.log.filter(came_from, action=RECEIVED).exists()
                and sorted((p.format, p.width, p.height, p.size)
                           for p in earlier.photos.all()) == photos):
            return earlier
    return None


def do_receive_report(form: ReportForm, request: HttpRequest,
                      story: Article | None = None) -> tuple[Submission, bool]:
    """Save a valid form as a report (a robot's, honeypot filled in, as spam): the report and
    whether it is new. The same form page sent twice at once is stored once: the second
    finds the first's key taken and answers with the first."""
    try:
        return _store(form, request, story), True
    except IntegrityError:
        earlier = already_received(form.cleaned_data["sending"])
        if earlier is None:
            raise
        return earlier, False


def _store(form: ReportForm, request: HttpRequest, story: Article | None) -> Submission:
    data = form.cleaned_data
    robot = form.is_robot
    with transaction.atomic():
        submission = Submission.objects.create(
            name=data["name"], email=data["email"], headline=data["headline"],
            text=data["text"], consented_at=timezone.now(),
            status=Submission.Status.SPAM if robot else Submission.Status.NEW,
            sender_hash=sender_hash(request), user_agent=_user_agent(request),
            sent_with=data["sending"],
        )
        if robot:
            # Kept so that the desk can see what the form stops; its photos are not.
            ModerationEntry.objects.create(
                submission=submission, action=SPAM,
                note="The field hidden from people was filled in: held as spam, no e-mail sent.",
            )
            return submission
        for photo in form.clean_photos_list:
            stored = SubmissionPhoto(
                submission=submission, format=photo.format, width=photo.width,
                height=photo.height, size=len(photo.data), original_name=photo.original_name,
            )
            stored.image.save(f"photo.{photo.format}", ContentFile(photo.data), save=True)
        ModerationEntry.objects.create(submission=submission, action=RECEIVED,
                                       note=_received_note(story))
    return submission
