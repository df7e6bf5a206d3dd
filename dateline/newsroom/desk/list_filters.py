"""Filters of the desk's story list."""

from django.contrib import admin

from ..models import Article


class StatusFilter(admin.ChoicesFieldListFilter):
    """The status choices as the list's Status column says them: a taken-down story is Killed."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice.get("display") == Article.Status.UNPUBLISHED.label:
                choice = {**choice, "display": "Killed"}
            yield choice
