"""django-allauth, fitted to this site: the client address its rate limits key on, and a
sign-up form that answers a taken address and a new one with the same work."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # One rule for every per-client limit: allauth's own reading of X-Forwarded-For
        # fails with a server error when a request carries fewer hops than configured.
        return client_ip(request)


class SignupForm(AllauthSignupForm):
    """With ACCOUNT_PREVENT_ENUMERATION, a taken address gets the same page as a new one
    (its owner is emailed instead). A new address costs a password hash, though, and a
    stranger could time the difference; so a taken one pays the same hash, and throws
    it away."""

    def try_save(self, request: HttpRequest):
        password = self.cleaned_data.get("password1")
        if self.account_already_exists and password:
            make_password(password)
        return super().try_save(request)


class LoginForm(AllauthLoginForm):
    """allauth's form in the site's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in on this device")
