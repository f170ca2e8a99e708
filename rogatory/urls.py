"""Addresses: the web pages at the root, the REST API under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("rogatory.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("rogatory.web.urls")),
]
