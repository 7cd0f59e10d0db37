"""The addresses emails link to: absolute, and personal ones carrying the registration's
token for people without an account."""

from django.conf import settings
from django.urls import reverse

from programs.models import Program
from registrations.models import Registration


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _personal_url(registration: Registration, url_name: str, **kwargs) -> str:
    """A page of the registration; people without an account open it with their token,
    which the first visit trades for a cookie (registrations.access)."""
    url = absolute(reverse(url_name, kwargs={"reference": registration.reference, **kwargs}))
    if registration.user_id is None:
        url += f"?token={registration.access_token}"
    return url


def registration_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:detail")


def cancel_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:cancel")


def answers_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:answers")


def receipt_url(registration: Registration, number: int) -> str:
    """A numbered receipt's PDF: the receipts app's address, by its URL name (that app
    sits above registrations, which never imports it)."""
    return _personal_url(registration, "receipts:download", number=number)


def my_registrations_url() -> str:
    return absolute(reverse("registrations:list"))


def program_url(program: Program) -> str:
    return absolute(program.get_absolute_url())


def personal_url(registration: Registration, url_name: str) -> str:
    """The absolute address of any page of one registration, by URL name (taking the
    `reference` argument), carrying the token for a person without an account: for apps
    above this one (a certificate's download) that link to their own pages of it."""
    return _personal_url(registration, url_name)
