"""A reader's report accepted: its photos go into the library, the first leads the draft.

The photos were re-encoded without metadata when they arrived (submissions/reencode.py), so
the library learns nothing from the file: the credit and source say where they came from. The
alt text stays empty on purpose: the editor writes it, and publishing waits for it
(publishing.py).
"""

from django.db import transaction

from dateline.newsroom.models import Article

from .attach import attach
from .models import Photo

READER_SOURCE = "Reader report"


def add_report_photos(report, article: Article, user, *, reader_name: str,
                      caption: str = "") -> list[str]:
    """Put the report's photos in the library and on the draft; return what was refused."""
    uploads = list(report.photos.order_by("pk"))
    if not uploads:
        return []
    from .library import PhotoRefused, add_photo

    refused: list[str] = []
    for index, upload in enumerate(uploads):
        fields = {"credit": f"Reader report by {reader_name}"[:300], "creator": reader_name[:200],
                  "source": READER_SOURCE}
        if caption:
            fields["caption"] = caption[:2000]
        try:
            with transaction.atomic(), upload.image.open("rb") as handle:
                photo, _ = add_photo(handle, name=upload.original_name or upload.image.name,
                                     user=user, origin=Photo.Origin.READER, fields=fields)
        except PhotoRefused as exc:
            refused.append(f"Photo {index + 1}: {exc}")
            continue
        except OSError:  # its file gone from the store (a restore, a hand's clean-up)
            refused.append(f"Photo {index + 1}: its file is missing from the store; ask the "
                           "reader to send it again.")
            continue
        # The same file from another reader (a picture forwarded on) is the library's photo
        # already, credited to whoever sent it first: this story credits its own reader.
        credit = "" if photo.credit == fields["credit"] else fields["credit"]
        attach(article, photo, credit=credit)
    return refused
