"""No story goes out with a photo a reader who cannot see it would miss (alt text), nor one
that names no one to credit (the credit line every agency prints under a picture).

Connected to newsroom's publication_checks at ready(): Publish, Schedule and Embargo consult
it inside their transaction, and the desk shows the refusal as it shows any other.
"""

from dateline.newsroom.actions import ActionRefused
from dateline.newsroom.models import Article

from .models import StoryPhoto


def require_alt_text(sender, *, article: Article, **kwargs) -> None:
    missing = list(StoryPhoto.objects.filter(article=article, photo__alt_text="")
                   .select_related("photo").order_by("role", "position", "pk"))
    if not missing:
        return
    if any(use.role == StoryPhoto.Role.LEAD for use in missing):
        what = "The lead photo has"
    elif len(missing) == 1:
        what = f"The photo “{missing[0].photo}” in the body has"
    else:
        what = f"{len(missing)} photos in the body have"
    # Where to write it, from the page the editor is on: each photo's row in the story's
    # editor opens it in the library (the refusal named neither the photo nor the way).
    raise ActionRefused(f"{what} no alt text: add it in the photo library before publishing "
                        "(“Open the photo in the library” in its row under Photos, below the "
                        "story).")


def require_credit(sender, *, article: Article, **kwargs) -> None:
    # A credit of punctuation alone ("-", as some cameras' IPTC fields carry) names no one.
    uses = StoryPhoto.objects.filter(article=article).select_related("photo").order_by(
        "role", "position", "pk")
    missing = [use for use in uses
               if not any(c.isalnum() for c in (use.credit or use.photo.credit))]
    if not missing:
        return
    what = "The lead photo" if any(use.role == StoryPhoto.Role.LEAD for use in missing) \
        else f"The photo “{missing[0].photo}”"
    raise ActionRefused(f"{what} has no credit: add the credit line (who took it, for whom) in "
                        "the photo library before publishing.")
