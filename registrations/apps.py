from django.apps import AppConfig

from programs import seats


class RegistrationsConfig(AppConfig):
    name = "registrations"

    def ready(self) -> None:
        # Imported here, not at the top: these modules load models, which Django
        # allows only once every app is registered.
        from allauth.account.signals import email_confirmed, user_logged_in

        from . import accounts, signals  # noqa: F401
        from .seats import registered_subquery, seats_taken_subquery

        # Registrations made with an email belong to the account that verifies it.
        email_confirmed.connect(accounts.on_email_confirmed, dispatch_uid="registrations-claim")
        user_logged_in.connect(accounts.on_user_logged_in, dispatch_uid="registrations-claim")
        # The catalogue's pages show seats left by the one seat rule, which lives here
        # (programs/seats.py says why it is handed over rather than imported).
        seats.provide(seats_taken_subquery)
        seats.provide_registered(registered_subquery)
