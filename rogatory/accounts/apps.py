from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rogatory.accounts"
    label = "accounts"
