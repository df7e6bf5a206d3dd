from django.contrib import admin
from django.urls import path

from . import desk

app_name = "live-desk"
wrap = admin.site.admin_view

urlpatterns = [
    path("<int:pk>/breaking/", wrap(desk.breaking), name="breaking"),
    path("<int:pk>/coverage/", wrap(desk.coverage), name="coverage"),
    path("entries/<int:pk>/delete/", wrap(desk.delete_entry), name="delete-entry"),
]
