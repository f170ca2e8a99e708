from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "rogatory.statistics"
    label = "statistics"
