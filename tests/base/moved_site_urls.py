"""The site's pages under /news/: a URL configuration other than the project's."""

from django.urls import include, path

urlpatterns = [path("news/", include("dateline.site.urls"))]
