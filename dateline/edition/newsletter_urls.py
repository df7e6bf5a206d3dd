"""The newsletter's pages, under /edition/ and in the `edition` namespace (included by urls.py)."""

from django.urls import path

from . import subscriptions

urlpatterns = [
    path("subscribe/", subscriptions.subscribe, name="subscribe"),
    path("subscribe/sent/", subscriptions.sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>/", subscriptions.confirm, name="subscribe_confirm"),
    path("unsubscribe/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
]
