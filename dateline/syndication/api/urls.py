from django.urls import path

from . import search, views

app_name = "api"

urlpatterns = [
    path("ninjs/", views.item_list, name="ninjs-list"),
    path("ninjs/<int:pk>", views.item_detail, name="ninjs-item"),
    path("search", search.search, name="search"),
    path("openapi.json", views.openapi_document, name="openapi"),
]
