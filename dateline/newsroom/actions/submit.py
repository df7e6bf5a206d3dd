from django.core.exceptions import PermissionDenied

from ..models import Article
from ..permissions import is_owner
from .base import Transition


class Submit(Transition):
    name = "submit"
    label = "Submit for review"
    sources = frozenset({Article.Status.DRAFT})
    target = Article.Status.REVIEW
    permission = "submit_article"

    def check_permission(self, user, article: Article) -> None:
        super().check_permission(user, article)
        if not (is_owner(user, article) or user.has_perm("newsroom.change_any_article")):
            raise PermissionDenied("Only the article's own reporter or an editor can submit it.")
