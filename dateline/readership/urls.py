from django.urls import re_path

from . import views

app_name = "readership"
urlpatterns = [
    # Any kind and key: answer() says which are beacons, so a wrong one gets its reason.
    re_path(r"^(?P<kind>[^/]{1,32})/(?P<key>[^/]{1,32})/?$", views.beacon, name="beacon"),
]
