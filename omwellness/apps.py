from django.apps import AppConfig


class OmwellnessConfig(AppConfig):
    name = "omwellness"
    verbose_name = "People"
