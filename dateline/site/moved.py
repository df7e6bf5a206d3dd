"""A page that moved (a section, tag or author renamed) answers at its old address with a
permanent redirect, as a story's changed slug does: readers' bookmarks, search engines and
feed readers' subscriptions follow it instead of meeting a 404."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from dateline.newsroom.models.moved import current_url


class MovedPagesMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Only a page not found is looked up (one indexed query): nothing else pays for it.
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = current_url(request.path)
        if target is None or target == request.path:
            return response
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))
