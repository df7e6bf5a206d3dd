from django.contrib import admin
from django.urls import path

from . import desk

app_name = "ingest-desk"
wrap = admin.site.admin_view

urlpatterns = [
    path("monitor/", wrap(desk.monitor_page), name="monitor"),
    path("monitor.json", wrap(desk.monitor_json), name="monitor-json"),
    path("items/<id:pk>/draft/", wrap(desk.item_draft), name="item-draft"),
    path("clusters/<id:pk>/draft/", wrap(desk.cluster_draft), name="cluster-draft"),
    path("press-review/", wrap(desk.add_to_review), name="add-to-review"),
    path("press-review/<id:pk>/", wrap(desk.review_page), name="review"),
]
