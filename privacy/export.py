"""Everything the site holds about one person, for "Download my data".

The one place that collects it. Each part is a function taking the `Person` and
returning JSON-ready data (strings, numbers, booleans, lists, dicts); `SECTIONS` lists
them in the order the readable page shows them. An app that keeps more about people
(consent records, receipts, certificates) adds one function and one line here.

A person is their account and its verified addresses: the same rows "My registrations"
shows (registrations/selectors.py), found by the account or by a verified address.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate
from facilitate.models import Attendance
from mailing.models import Consent, Subscriber
from omwellness.money import format_money
from outbox.models import OutboundEmail
from receipts.models import Receipt
from registrations.accounts import verified_emails
from registrations.models import Registration, WaitlistEntry

from .models import DeletionRequest


@dataclass(frozen=True)
class Person:
    user: Any  # omwellness.models.User; None once a deletion request removed the account
    emails: tuple[str, ...]  # verified, lower-cased

    @classmethod
    def of(cls, user) -> "Person":
        return cls(user=user, emails=tuple(verified_emails(user=user)))


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _money(cents: int, currency: str = "cad") -> dict:
    return {"cents": cents, "currency": currency.upper(), "shown": format_money(cents, currency)}


def _owned(person: Person) -> Q:
    # Never Q(user=None): that would match every row without an account.
    by_address = Q(email_lower__in=person.emails)
    return by_address | Q(user=person.user) if person.user is not None else by_address


def owned_registrations(person: Person) -> QuerySet[Registration]:
    return Registration.objects.annotate(email_lower=Lower("email")).filter(_owned(person))


def owned_waitlist_entries(person: Person) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.annotate(email_lower=Lower("email")).filter(_owned(person))


def emails_to(person: Person) -> QuerySet[OutboundEmail]:
    addresses = set(person.emails)
    if person.user is not None:
        addresses.add(person.user.email.lower())
    return OutboundEmail.objects.annotate(recipient_lower=Lower("recipient")).filter(
        recipient_lower__in=addresses
    )


def account(person: Person) -> dict:
    user = person.user
    return {
        "email": user.email,
        "name": user.name,
        "joined": _when(user.date_joined),
        "last_sign_in": _when(user.last_login),
        "verified_addresses": list(person.emails),
    }


def registrations(person: Person) -> list[dict]:
    rows = (
        owned_registrations(person)
        .select_related("program", "agreement")
        .prefetch_related("answers", "payments__refunds", "attendance__session")
        .order_by("created_at")
    )
    return [
        {
            "reference": r.reference,
            "program": r.program.title,
            "status": r.get_status_display(),
            "name": r.name,
            "email": r.email,
            "phone": r.phone,
            "price": r.price_label,
            "amount_due": _money(r.amount_due_cents),
            "registered": _when(r.created_at),
            "confirmed": _when(r.confirmed_at),
            "cancelled": _when(r.cancelled_at),
            "agreement_accepted": (
                {
                    "version": r.agreement.version,
                    "title": r.agreement.title,
                    "at": _when(r.agreed_to_policy_at),
                }
                if r.agreement is not None
                else None
            ),
            "personal_data_erased": _when(r.erased_at),
            "answers": [
                {
                    "question": a.question_text,
                    "answer": a.value,
                    "health_related": a.sensitive,
                    "erased": _when(a.erased_at),
                }
                for a in r.answers.all()
            ],
            "payments": [
                {
                    "amount": _money(p.amount_cents, p.currency),
                    "refunded": _money(p.amount_refunded_cents, p.currency),
                    "status": p.get_status_display(),
                    "started": _when(p.created_at),
                    "paid": _when(p.paid_at),
                    "refunds": [
                        {
                            "amount": _money(f.amount_cents, p.currency),
                            "reason": f.reason,
                            "status": f.status,
                            "when": _when(f.created_at),
                        }
                        for f in p.refunds.all()
                    ],
                }
                for p in r.payments.all()
            ],
            "attendance": [
                {"session": a.session.title, "present": a.present}
                for a in sorted(r.attendance.all(), key=_session_start)
            ],
        }
        for r in rows
    ]


def _session_start(attendance: Attendance) -> datetime:
    return attendance.session.starts_at


def waitlist_entries(person: Person) -> list[dict]:
    rows = owned_waitlist_entries(person).select_related("program").order_by("created_at")
    return [
        {
            "program": e.program.title,
            "status": e.get_status_display(),
            "name": e.name,
            "email": e.email,
            "joined": _when(e.created_at),
            "offered": _when(e.offered_at),
        }
        for e in rows
    ]


def emails_sent(person: Person) -> list[dict]:
    rows = emails_to(person).order_by("created_at")
    return [
        {
            "to": e.recipient,
            "subject": e.subject,
            "status": e.get_status_display(),
            "written": _when(e.created_at),
            "sent": _when(e.sent_at),
            "text": e.body_text,
        }
        for e in rows
    ]


def deletion_requests(person: Person) -> list[dict]:
    rows = DeletionRequest.objects.filter(user=person.user).order_by("requested_at")
    return [
        {"asked": _when(d.requested_at), "due": _when(d.due_at), "completed": _when(d.completed_at)}
        for d in rows
    ]


def news_consents(person: Person) -> list[dict]:
    """Each "Tell me about future programs" the person ticked, as recorded (CASL)."""
    subscribers = Subscriber.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=person.emails
    )
    rows = (
        Consent.objects.filter(subscriber__in=subscribers)
        .select_related("subscriber", "program")
        .order_by("given_at")
    )
    return [
        {
            "email": c.email,
            "wording": c.wording,
            "source": c.get_source_display(),
            "program": c.program.title if c.program is not None else None,
            "given": _when(c.given_at),
            "confirmed": _when(c.confirmed_at),
            "withdrawn": _when(c.withdrawn_at or c.subscriber.withdrawn_at),
        }
        for c in rows
    ]


def receipts(person: Person) -> list[dict]:
    rows = Receipt.objects.filter(registration__in=owned_registrations(person)).order_by("number")
    return [
        {
            "number": r.number,
            "kind": r.get_kind_display(),
            "date": _when(r.transaction_date),
            "description": r.description,
            "buyer": r.buyer_name,
            "before_tax": _money(r.before_tax_cents),
            "tax": _money(r.tax_cents),
            "total": _money(r.total_cents),
            "payment_method": r.payment_method,
        }
        for r in rows
    ]


def certificates(person: Person) -> list[dict]:
    rows = Certificate.objects.filter(registration__in=owned_registrations(person)).order_by(
        "issued_at"
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "program": c.program_title,
            "issued": _when(c.issued_at),
            "revoked": _when(c.revoked_at),
        }
        for c in rows
    ]


# (key, heading on the readable page, in the reader's language; collector)
SECTIONS: list[tuple[str, Promise, Callable[[Person], Any]]] = [
    ("account", _("Your account"), account),
    (
        "registrations",
        _("Registrations, answers, payments, refunds and attendance"),
        registrations,
    ),
    ("waitlist_entries", _("Waitlist entries"), waitlist_entries),
    ("receipts", _("Receipts and credit notes"), receipts),
    ("certificates", _("Certificates of completion"), certificates),
    ("news_consents", _("News of future programs: what you agreed to"), news_consents),
    ("emails_sent", _("Emails we sent you"), emails_sent),
    ("deletion_requests", _("Deletion requests"), deletion_requests),
]


def collect(person: Person, *, now: datetime | None = None) -> dict:
    data: dict[str, Any] = {"exported": _when(now or timezone.now()), "site": "omwellness"}
    for key, _heading, collector in SECTIONS:
        data[key] = collector(person)
    return data
