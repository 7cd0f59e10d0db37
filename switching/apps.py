from django.apps import AppConfig


class SwitchingConfig(AppConfig):
    name = "switching"
    verbose_name = "Switching terms"
