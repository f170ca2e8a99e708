"""Addresses: the web pages at the root, the REST API under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("rogatory.web.urls")),
]
