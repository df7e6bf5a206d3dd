from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

admin.site.site_header = "Dateline desk"
admin.site.site_title = "Dateline desk"
admin.site.index_title = "Newsroom"

urlpatterns = [
    # WebSub's desk pages moved with its models from live to syndication: old links follow.
    re_path(r"^desk/live/(?P<rest>(?:subscription|intent)/.*)$", RedirectView.as_view(
        url="/desk/syndication/%(rest)s", permanent=True, query_string=True)),
    path("desk/live/", include("dateline.live.urls")),
    path("desk/ingest/", include("dateline.ingest.urls")),
    path("desk/intelligence/", include("dateline.intelligence.urls")),
    path("desk/readership/", include("dateline.readership.desk_urls")),
    path("desk/", admin.site.urls),
    path("", include("dateline.ops.urls")),
    path("websub/", include("dateline.syndication.websub.urls")),
    path("", include("dateline.syndication.urls")),
    path("report/", include("dateline.submissions.urls")),
    path("edition/", include("dateline.edition.urls")),
    path("ads/", include("dateline.ads.urls")),
    # The page script's beacon (`dateline serve` answers it before Django: readership.beacon).
    path("r/", include("dateline.readership.urls")),
    # Renditions when nothing in front serves /media/ (make run); nginx does it in production.
    path("media/pictures/", include("dateline.pictures.urls")),
    path("", include("dateline.site.urls")),
]

handler400 = "dateline.site.bad_request.bad_request"
handler403 = "dateline.newsroom.desk.denied.permission_denied"
handler404 = "dateline.site.views.page_not_found"
# A database that cannot answer is a 503 with Retry-After, every other error a 500.
handler500 = "dateline.db.unavailable.server_error"
