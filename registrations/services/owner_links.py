"""When a form is given an address that is already registered, the page must not say
so (anyone can type anyone's address): the address's owner is emailed their own link
instead. waitlist_join does the same for the waitlist."""

from datetime import datetime

from django.db import transaction

from registrations import emails
from registrations.models import Registration


def registration_link_send(*, registration: Registration, now: datetime | None = None) -> None:
    """Emails the owner the way back to their registration (at most one a minute; the
    form's per-address rate limit bounds the rest)."""
    with transaction.atomic():
        emails.registration_link(registration=registration, now=now)
