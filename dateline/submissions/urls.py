from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("", views.new, name="new"),
    path("thanks/<str:token>/", views.thanks, name="thanks"),
    path("terms/", views.terms, name="terms"),
]
