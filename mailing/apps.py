from django.apps import AppConfig


class MailingConfig(AppConfig):
    """Consent to news of future programs, and the marketing emails sent to those who gave it.

    Below registrations: it imports omwellness, programs and outbox only, and
    registrations calls it to record a consent given on its form."""

    name = "mailing"
    verbose_name = "Mailing list"
