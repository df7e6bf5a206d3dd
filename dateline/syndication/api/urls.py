from django.urls import path, re_path

from . import changes, errors, search, views

app_name = "api"

urlpatterns = [
    path("ninjs/", views.item_list, name="ninjs-list"),
    path("ninjs/changes", changes.changes, name="ninjs-changes"),
    path("ninjs/<id:pk>", views.item_detail, name="ninjs-item"),
    path("search", search.search, name="search"),
    path("openapi.json", views.openapi_document, name="openapi"),
    # Last: a partner's mistyped URL or bad id gets JSON, as every other API answer.
    re_path(r"^(?P<rest>.*)$", errors.not_found, name="not-found"),
]
