from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from .catalogues import catalogues_check, compile_at_start
from .rate_limit import rate_limits_check


class OmwellnessConfig(AppConfig):
    name = "omwellness"
    verbose_name = "People"

    def ready(self) -> None:
        # A mistyped limit must stop a deploy (the release step runs `check`), not
        # answer 500 to the first person who registers.
        checks.register(rate_limits_check)
        # The .mo files are not committed: a stale or missing one is compiled here, before
        # the first page or email asks for French.
        compile_at_start(settings.LOCALE_PATHS)
        checks.register(catalogues_check)
