"""The newsroom's side of counting: which counted story keys are stories."""

from dateline.newsroom.models import Article


def existing(keys: set[str]) -> set[str]:
    """The keys of `keys` that name a story (made-up ones are not stored)."""
    ids = [int(key) for key in keys if key.isdigit() and len(key) <= 18]
    return {str(pk) for pk in Article.objects.filter(pk__in=ids).values_list("pk", flat=True)}
