"""What the photo library tells the rest of Dateline.

`photo_stored(sender=Photo, photo=...)` is sent once a new photo's original is stored and its
transaction committed: the renditions worker listens, so renditions are made for a photo that
exists in every other connection's view of the database.
"""

from django.dispatch import Signal

photo_stored = Signal()
