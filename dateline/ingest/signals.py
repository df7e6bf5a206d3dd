"""What ingest announces, so that later steps (clustering) follow without the store knowing them.

`item_stored` is sent once an item is saved, new (`created`) or changed (`changed`): sender
is Item, with `item`, `created` and `changed`. Receivers run in the polling worker; one that
fails is logged and does not stop the poll (see store.announce).
"""

from django.dispatch import Signal

item_stored = Signal()
