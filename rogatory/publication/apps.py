from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "rogatory.publication"
    label = "publication"
