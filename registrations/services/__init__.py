"""Writes about registrations: every change to seats and money goes through here."""

from .answers import registration_answers_save
from .cancellation import (
    paid_cents,
    refund_quote,
    registration_cancel,
    seat_release,
)
from .errors import (
    AlreadyRegistered,
    AnswersRefused,
    CancellationRefused,
    DiscountCodeInvalid,
    HoldRenewalRefused,
    OfferInvalid,
    ProgramFull,
    RegistrationRefused,
    SubmittedBefore,
    TooManyHolds,
    TransferRefused,
)
from .fulfilment import registration_fulfill, stripe_event_process
from .owner_links import registration_link_send
from .registration import (
    RegistrationInput,
    checkout_cancelled,
    checkout_continue,
    checkout_start,
    holds_expire_stale,
    registration_confirm,
    registration_create,
)
from .transfer import registration_transfer, registrations_transfer
from .waitlist import (
    waitlist_confirm,
    waitlist_join,
    waitlist_leave,
    waitlist_offer_free_seats,
    waitlist_offers_expire,
)

__all__ = [
    "AlreadyRegistered",
    "AnswersRefused",
    "CancellationRefused",
    "DiscountCodeInvalid",
    "HoldRenewalRefused",
    "OfferInvalid",
    "ProgramFull",
    "RegistrationInput",
    "RegistrationRefused",
    "SubmittedBefore",
    "TransferRefused",
    "checkout_cancelled",
    "checkout_continue",
    "checkout_start",
    "holds_expire_stale",
    "paid_cents",
    "refund_quote",
    "registration_answers_save",
    "registration_cancel",
    "registration_confirm",
    "registration_create",
    "registration_fulfill",
    "registration_link_send",
    "registration_transfer",
    "registrations_transfer",
    "seat_release",
    "stripe_event_process",
    "TooManyHolds",
    "waitlist_confirm",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_free_seats",
    "waitlist_offers_expire",
]
