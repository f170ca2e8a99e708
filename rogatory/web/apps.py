from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "rogatory.web"
    label = "web"
