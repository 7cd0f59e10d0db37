"""Writes about registrations: every change to seats and money goes through here."""

from .answers import registration_answers_save
from .approval import (
    Decision,
    application_approve,
    application_call_first,
    application_decline,
)
from .cancellation import paid_cents, refund_quote, registration_cancel
from .checkout import checkout_start
from .create import RegistrationInput, registration_create
from .errors import (
    AlreadyRegistered,
    AnswersRefused,
    ApplicationDecided,
    CancellationRefused,
    DiscountCodeInvalid,
    HoldRenewalRefused,
    NotAwaitingPayment,
    OfferInvalid,
    PriceUnavailable,
    ProgramFull,
    RegistrationRefused,
    SubmittedBefore,
    SwitchRefused,
    TooManyHolds,
    TransferRefused,
)
from .fulfilment import registration_fulfill
from .holds import checkout_cancelled, holds_expire_stale, registration_confirm, seat_release
from .owner_links import registration_link_send
from .stripe_events import stripe_event_process
from .switch import (
    switch_abandon,
    switch_checkout,
    switch_complete,
    switch_held,
    switch_holds_expire,
    switch_start,
)
from .switch_rules import new_amount, same_questions, switch_deadline, switch_refusal
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
    "ApplicationDecided",
    "Decision",
    "application_approve",
    "application_call_first",
    "application_decline",
    "CancellationRefused",
    "DiscountCodeInvalid",
    "HoldRenewalRefused",
    "NotAwaitingPayment",
    "OfferInvalid",
    "PriceUnavailable",
    "ProgramFull",
    "RegistrationInput",
    "RegistrationRefused",
    "SubmittedBefore",
    "SwitchRefused",
    "TransferRefused",
    "checkout_cancelled",
    "checkout_start",
    "holds_expire_stale",
    "new_amount",
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
    "same_questions",
    "seat_release",
    "stripe_event_process",
    "switch_abandon",
    "switch_checkout",
    "switch_complete",
    "switch_deadline",
    "switch_held",
    "switch_holds_expire",
    "switch_refusal",
    "switch_start",
    "TooManyHolds",
    "waitlist_confirm",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offer_free_seats",
    "waitlist_offers_expire",
]
