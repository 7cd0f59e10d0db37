from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed, user_logged_in

        from . import accounts

        # Registrations made with an email belong to the account that verifies it.
        email_confirmed.connect(accounts.on_email_confirmed, dispatch_uid="registrations-claim")
        user_logged_in.connect(accounts.on_user_logged_in, dispatch_uid="registrations-claim")
