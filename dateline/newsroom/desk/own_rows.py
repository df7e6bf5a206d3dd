"""Deleting a row with what is its own, without a permission for each kind of row.

Django's delete page asks for the delete permission of every row a deletion takes with it
(its CASCADE). A role is given permissions for what it manages by hand; a story's related
links, topics and brief, or a tag's aliases and the tagger's suggestions, are made by the
machine and belong to the row they hang from, so no role holds them, and a chief editor could
delete no story the worker had analysed and no tag the tagger had suggested. The right to
delete the row is the right to delete its own rows; protected ones stay protected.
"""


class DeletesItsOwnRows:
    """For a ModelAdmin, before admin.ModelAdmin in its bases."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, _needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected
