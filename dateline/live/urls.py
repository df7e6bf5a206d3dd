from django.contrib import admin
from django.urls import path

from . import desk

app_name = "live-desk"
wrap = admin.site.admin_view

urlpatterns = [
    path("<id:pk>/breaking/", wrap(desk.breaking), name="breaking"),
    path("<id:pk>/coverage/", wrap(desk.coverage), name="coverage"),
    path("entries/<id:pk>/delete/", wrap(desk.delete_entry), name="delete-entry"),
]
