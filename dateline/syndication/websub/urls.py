from django.urls import path

from . import views

app_name = "websub"

urlpatterns = [
    path("", views.hub, name="hub"),
]
