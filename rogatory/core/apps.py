from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rogatory.core"
    label = "core"
