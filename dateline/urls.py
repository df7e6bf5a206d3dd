from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Dateline desk"
admin.site.site_title = "Dateline desk"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("desk/live/", include("dateline.live.urls")),
    path("desk/", admin.site.urls),
    path("", include("dateline.ops.urls")),
    path("websub/", include("dateline.syndication.websub.urls")),
    path("", include("dateline.syndication.urls")),
    path("report/", include("dateline.submissions.urls")),
    path("edition/", include("dateline.edition.urls")),
    path("", include("dateline.site.urls")),
]

handler404 = "dateline.site.views.page_not_found"
