from django.contrib import admin
from django.urls import path

from . import desk

app_name = "readership-desk"
wrap = admin.site.admin_view

urlpatterns = [
    path("", wrap(desk.readership_page), name="readership"),
    path("chart/<slug:name>.svg", wrap(desk.chart), name="chart"),
]
