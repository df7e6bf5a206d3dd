"""Who may do what to which article: the one policy the desk, the admin and the API consult."""

from django.db.models import Q

from .models import Article


def is_owner(user, article: Article) -> bool:
    """The reporter who created the article, or one of its bylined authors."""
    if not user.is_authenticated:
        return False
    if article.created_by_id == user.pk:
        return True
    return article.pk is not None and article.authors.filter(user=user).exists()


def owned_by(user) -> Q:
    """The stories is_owner() is true of, as a filter. The byline is a subquery, not a join:
    no duplicate rows to remove with DISTINCT, which would sort the whole archive."""
    bylined = Article.authors.through.objects.filter(author__user=user).values("article_id")
    return Q(created_by=user) | Q(pk__in=bylined)


def can_edit(user, article: Article) -> bool:
    """May this user change the article's text and metadata in its present state?"""
    if not (user.is_active and user.is_staff):
        return False
    if user.has_perm("newsroom.change_any_article"):
        return True
    if article.pk is None:
        return user.has_perm("newsroom.add_article")
    if not is_owner(user, article):
        return False
    if article.status == Article.Status.DRAFT:
        return user.has_perm("newsroom.change_article")
    if article.status == Article.Status.REVIEW:
        return user.has_perm("newsroom.change_own_article_in_review")
    return False


def can_see_all(user) -> bool:
    """Editors see every article on the desk; contributors and reporters see their own."""
    return user.has_perm("newsroom.change_any_article")


def may_set_top_story(user) -> bool:
    """Choosing the home page's lead story is an editor's call, like publishing."""
    return user.has_perm("newsroom.publish_article")
