from django.urls import path, re_path

from . import news_in_brief, preview, search, views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("articles/<id:pk>/", views.article_redirect, name="article-short"),
    path("articles/<id:pk>/<str:slug>/", views.article, name="article"),
    re_path(r"^section/(?P<path>[\w-]+(?:/[\w-]+)*)/$", views.section, name="section"),
    re_path(r"^(?P<kind>people|places|organisations|topics)/(?P<slug>[\w-]+)/$", views.tag,
            name="tag"),
    path("authors/<str:slug>/", views.author, name="author"),
    path("search/", search.search, name="search"),
    path("news-in-brief/", news_in_brief.today, name="news-in-brief"),
    re_path(r"^news-in-brief/(?P<day>\d{4}-\d{2}-\d{2})/$", news_in_brief.day,
            name="news-in-brief-day"),
    re_path(r"^news-in-brief/(?P<day>\d{4}-\d{2}-\d{2})/(?P<path>[\w-]+(?:/[\w-]+)*)/$",
            news_in_brief.day, name="news-in-brief-day-section"),
    re_path(r"^news-in-brief/(?P<path>[\w-]+(?:/[\w-]+)*)/$", news_in_brief.today,
            name="news-in-brief-section"),
    path("preview/<str:token>/", preview.preview, name="preview"),
]
