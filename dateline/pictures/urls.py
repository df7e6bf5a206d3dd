from django.urls import path

from . import views

app_name = "pictures"

urlpatterns = [
    path("<path:name>", views.rendition, name="rendition"),
]
