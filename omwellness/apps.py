from django.apps import AppConfig
from django.core import checks

from .rate_limit import rate_limits_check


class OmwellnessConfig(AppConfig):
    name = "omwellness"
    verbose_name = "People"

    def ready(self) -> None:
        # A mistyped limit must stop a deploy (the release step runs `check`), not
        # answer 500 to the first person who registers.
        checks.register(rate_limits_check)
