"""The REST API v1 as a Django app (django-ninja; see api.py)."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rogatory.api"
    label = "api"
