from django.apps import AppConfig


class FacilitateConfig(AppConfig):
    name = "facilitate"
    verbose_name = "Facilitation"
