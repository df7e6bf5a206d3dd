from django.urls import path, re_path

from . import preview, search, views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("articles/<int:pk>/", views.article_redirect, name="article-short"),
    path("articles/<int:pk>/<str:slug>/", views.article, name="article"),
    re_path(r"^section/(?P<path>[\w-]+(?:/[\w-]+)*)/$", views.section, name="section"),
    re_path(r"^(?P<kind>people|places|organisations|topics)/(?P<slug>[\w-]+)/$", views.tag,
            name="tag"),
    path("authors/<str:slug>/", views.author, name="author"),
    path("search/", search.search, name="search"),
    path("preview/<str:token>/", preview.preview, name="preview"),
]
