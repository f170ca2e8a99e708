from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "rogatory.register"
    label = "register"
