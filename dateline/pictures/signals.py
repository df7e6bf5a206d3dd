"""What the photo library tells the rest of Dateline.

`photo_stored(sender=Photo, photo=...)` is sent once a new photo's original is stored and its
transaction committed: the renditions worker listens, so renditions are made for a photo that
exists in every other connection's view of the database.

`renditions_made(sender=Photo, photo=..., made=...)` is sent by the worker once it has made
a photo's renditions (its first, or new crops for a moved focal point), each already
committed: syndication sends the stories that lead with it to partners again, since a story
that went out before they existed went out without its picture.
"""

from django.dispatch import Signal

photo_stored = Signal()
renditions_made = Signal()
