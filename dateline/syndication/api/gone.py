"""Stories partners were given that have left the wire since: their "canceled" items.

The changes feed tells each withdrawal once, in its order; a partner asking for the story by
its id (/api/ninjs/<id>) later hears the same: 410 Gone with that canceled item, so that its
copy can be found and taken down, where a 404 read like an id mistyped. A story that never
reached the wire is not named: it stays a 404, like an id that never was.
"""

from dateline.newsroom.models import Article

from ..deletions import as_withdrawn
from ..formatters import Formatter
from ..models import DeletedStory
from ..told import as_withdrawn_then


def withdrawn_items(fmt: Formatter, pks: list[int]) -> dict[int, dict]:
    """Canceled items for these stories, withdrawn or deleted: from the story while it is still
    withdrawn, else from what its deletion left (a story deleted since the changes were read
    is found there, at the same place, and not lost behind the partner's next position)."""
    # A withdrawn story has a wire time (set as it left the wire): one without never went
    # out, and is named to no one.
    items = {article.pk: fmt.withdrawn(as_withdrawn_then(article, article.wire_changed_at))
             for article in Article.objects.filter(pk__in=pks, status=Article.Status.UNPUBLISHED,
                                                   wire_changed_at__isnull=False)}
    items |= {deleted.article_id: fmt.withdrawn(as_withdrawn(deleted))
              for deleted in DeletedStory.objects.filter(
                  article_id__in=[pk for pk in pks if pk not in items])}
    return items


def canceled_item(fmt: Formatter, pk: int) -> dict | None:
    """The canceled item of a story taken off the wire, as the changes feed gives it; None for
    one that is live, held by an embargo, or was never on the wire (a draft, a pk unused): a
    deleted one left a DeletedStory only when partners were owed its withdrawal
    (syndication.deletions)."""
    return withdrawn_items(fmt, [pk]).get(pk)
