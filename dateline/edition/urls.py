from django.urls import include, path

from . import views

app_name = "edition"

urlpatterns = [
    path("", views.latest, name="latest"),
    path("<int:year>/<int:month>/<int:day>/", views.day, name="day"),
    path("<int:year>/<int:month>/<int:day>/pdf/", views.pdf, name="pdf"),
    path("", include("dateline.edition.newsletter_urls")),  # subscribe, unsubscribe
]
