"""Which public views take a POST: every other view outside the desk only reads.

A POST carries the form's CSRF token, which any reader gets from a public form (the reader's
report, the newsletter's sign-up); with one, a POST to the search or any page was read as a GET,
outside the page cache and the public read budget (dateline.db), which take only GET and HEAD.
dateline.ops.middleware.AnsweredMethodsMiddleware refuses a POST to a view not marked so.
"""

from collections.abc import Callable

from django.http import HttpResponse


def takes_posts[V: Callable[..., HttpResponse]](view: V) -> V:
    """Mark a public view (a form, a hub, a beacon) as one that takes a POST. Outermost, or
    under decorators that keep the view's attributes (functools.wraps), as Django's do."""
    view.takes_posts = True
    return view


def may_post_to(view: Callable) -> bool:
    return getattr(view, "takes_posts", False)
