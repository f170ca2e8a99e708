from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rogatory.api"
    label = "api"
