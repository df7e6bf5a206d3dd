from django.contrib import admin
from django.urls import path

from . import desk

app_name = "intelligence-desk"
wrap = admin.site.admin_view

urlpatterns = [
    path("stories/<id:pk>/decide/", wrap(desk.decide), name="decide"),
]
