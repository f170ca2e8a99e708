from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rogatory.audit"
    label = "audit"
