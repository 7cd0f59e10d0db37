"""Loading the signed-in person once per request, with what every page's header asks.

The header shows "Facilitate" to facilitators: the person's facilitator profile comes
in the same query as the person (a join), not in a second one on every page."""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends, get_user_model


class _LoadsFacilitator(backends.ModelBackend):
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("facilitator")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsFacilitator, backends.ModelBackend):
    """Django's backend (passwords), loading the facilitator profile with the person."""


class AuthenticationBackend(_LoadsFacilitator, allauth_backends.AuthenticationBackend):
    """allauth's backend (sign-in by email and code), likewise."""
