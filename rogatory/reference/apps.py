from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "rogatory.reference"
    label = "reference"
