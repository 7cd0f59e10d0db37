from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Email outbox"

    def ready(self) -> None:
        # Registers the send task with the Celery app in every process, the web included:
        # the writer hands rows to it by name (outbox.services), so the outbox never
        # imports its task layer. Here because tasks.py imports models, which only load
        # once the app registry is ready.
        from . import tasks  # noqa: F401
