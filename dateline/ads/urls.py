from django.urls import path, re_path

from . import views

app_name = "ads"
urlpatterns = [
    path("pick", views.pick, name="pick"),
    # Any run of digits reaches the view, which answers 404 for one no database could hold.
    re_path(r"^click/(?P<pk>[0-9]{1,18})$", views.click, name="click"),
    re_path(r"^frame/(?P<slot>[a-z-]{1,20})$", views.frame, name="frame"),
]
