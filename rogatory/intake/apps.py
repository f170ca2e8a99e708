from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rogatory.intake"
    label = "intake"
