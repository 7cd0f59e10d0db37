"""The registrations app's models, one module per concern; import them from here."""

from .log import RegistrationLog
from .payments import Payment, Refund, StripeEvent
from .registration import (
    REFERENCE_ALPHABET,
    Answer,
    DiscountCode,
    DiscountCodeQuerySet,
    Registration,
    RegistrationQuerySet,
    new_reference,
    new_token,
)
from .switch import Switch
from .waitlist import WaitlistEntry

__all__ = [
    "REFERENCE_ALPHABET",
    "Answer",
    "DiscountCode",
    "DiscountCodeQuerySet",
    "Payment",
    "Refund",
    "Registration",
    "RegistrationLog",
    "RegistrationQuerySet",
    "StripeEvent",
    "Switch",
    "WaitlistEntry",
    "new_reference",
    "new_token",
]
