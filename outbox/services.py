"""Writing to the outbox: the one writer of outbox rows (DESIGN rule 5).

Every row is written here, in the caller's transaction, and handed to the send task
once that transaction commits: callers never enqueue. Subjects are made one line and
cut to fit their column here, whoever the caller, so no email can break a batch.
The send task is reached by name through the Celery app, so the outbox does not
import its own task layer (tasks import the outbox, never the reverse).
"""

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from celery import current_app
from django.db import transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

SEND_TASK = "outbox.tasks.send_email"
NOT_NO_BREAK_SPACE = re.compile(r"[^\S\u00a0\u202f]+")
SUBJECT_MAX_LENGTH = OutboundEmail._meta.get_field("subject").max_length or 255


@dataclass(frozen=True)
class EmailDraft:
    """One email as a caller composed it, before it is a row."""

    kind: str
    dedup_key: str
    recipient: str
    subject: str
    body_text: str
    body_html: str = ""
    # [{"filename": ..., "content": <text>, "mimetype": ...}]
    attachments: Sequence[dict] = field(default_factory=tuple)
    reference: str = ""
    # Extra headers, such as List-Unsubscribe (RFC 8058); one line each.
    headers: Mapping[str, str] = field(default_factory=dict)


def subject_line(subject: str) -> str:
    """One line, as a mail header must be (a typed newline would make the email unsendable),
    and short enough to store: a long program title and name can pass the column's length."""
    # Any run of whitespace becomes one space, except the no-break spaces French puts
    # before a colon ("Changement d'horaire : ..."), which stay where they are.
    line = " ".join(NOT_NO_BREAK_SPACE.split(subject.strip()))
    return line if len(line) <= SUBJECT_MAX_LENGTH else line[: SUBJECT_MAX_LENGTH - 1] + "…"


# Headers the outbox sets itself (sending.outbound_email_message), never a caller.
RESERVED_HEADERS = {"message-id", "from", "to", "cc", "bcc", "subject"}


def extra_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The caller's extra headers, refused when one is reserved or is not one line: a
    newline in a header would start a header (or a body) of its choosing."""
    checked = {}
    for name, value in headers.items():
        if name.lower() in RESERVED_HEADERS:
            raise ValueError(f"The outbox sets {name} itself.")
        if any(char in f"{name}{value}" for char in "\r\n") or not name.strip():
            raise ValueError(f"Header {name!r} must be one line.")
        checked[name] = value
    return checked


def _row(draft: EmailDraft, *, now: datetime) -> OutboundEmail:
    return OutboundEmail(
        kind=draft.kind,
        dedup_key=draft.dedup_key,
        recipient=draft.recipient,
        subject=subject_line(draft.subject),
        body_text=draft.body_text,
        body_html=draft.body_html,
        attachments=list(draft.attachments),
        reference=draft.reference,
        headers=extra_headers(draft.headers),
        created_at=now,
    )


def write(draft: EmailDraft, *, now: datetime | None = None) -> OutboundEmail:
    """Writes one email and sends it after commit; the same dedup key writes it once and
    returns the row already there."""
    row = _row(draft, now=now or timezone.now())
    with transaction.atomic():
        email, created = OutboundEmail.objects.get_or_create(
            dedup_key=row.dedup_key,
            defaults={
                name: getattr(row, name)
                for name in (
                    "kind",
                    "recipient",
                    "subject",
                    "body_text",
                    "body_html",
                    "attachments",
                    "reference",
                    "headers",
                    "message_id",
                    "created_at",
                )
            },
        )
    if created:
        _send_after_commit([email.pk])
    return email


def write_many(drafts: Sequence[EmailDraft], *, now: datetime | None = None) -> list[int]:
    """Writes many emails in one INSERT and sends them after commit; returns the ids of the
    rows written now. A draft whose dedup key is already taken is skipped, so two writers
    racing over the same batch write each email once."""
    if not drafts:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        # One INSERT on PostgreSQL; SQLite splits it by its limit on query parameters.
        OutboundEmail.objects.bulk_create(
            [_row(draft, now=now) for draft in drafts], ignore_conflicts=True
        )
        # Rows of this call carry its `now`; a conflicting row written earlier does not.
        # Found by their unique dedup keys, so the outbox's size does not matter.
        written = list(
            OutboundEmail.objects.filter(
                dedup_key__in=[draft.dedup_key for draft in drafts], created_at=now
            ).values_list("pk", flat=True)
        )
        _send_after_commit(written)
    return written


def resend(*, email: OutboundEmail, now: datetime | None = None) -> OutboundEmail:
    """A new row with the same content, so the history of the first one stays as it was.

    It gets its own Message-ID: one that repeated the first would make the person's mail
    program drop it as a copy of what they already have."""
    now = now or timezone.now()
    return write(
        EmailDraft(
            kind=email.kind,
            dedup_key=f"resend:{email.pk}:{now:%Y%m%dT%H%M%S}",
            recipient=email.recipient,
            subject=email.subject,
            body_text=email.body_text,
            body_html=email.body_html,
            attachments=email.attachments,
            reference=email.reference,
            headers=email.headers,
        ),
        now=now,
    )


def queued_withdraw(*, kind: str, recipient: str, reason: str) -> int:
    """Stops emails of a kind to one address that have not left yet (marked failed, with
    the reason); returns how many. A row a worker has already claimed is on its way."""
    return OutboundEmail.objects.filter(
        kind=kind, recipient__iexact=recipient, status=OutboundEmail.Status.QUEUED
    ).update(status=OutboundEmail.Status.FAILED, last_error=reason)


def _send_after_commit(email_ids: list[int]) -> None:
    if email_ids:
        transaction.on_commit(lambda: enqueue(email_ids=email_ids))


def enqueue(*, email_ids: list[int]) -> int:
    """Hands rows to the send task; a broker that is down only delays them (see the sweep).

    Returns how many were handed over. The first failure stops the rest: with the
    broker down every row would wait out the same retries, and the sweep sends them all.
    """
    send_email = current_app.tasks[SEND_TASK]
    handed = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for email_id in email_ids:
                send_email.apply_async(
                    args=(email_id,),
                    producer=producer,
                    retry=True,
                    retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
                )
                handed += 1
    except Exception:  # the broker is down: the rows stay queued for the sweep
        logger.warning(
            "Could not enqueue %s of %s emails; the outbox sweep will.",
            len(email_ids) - handed,
            len(email_ids),
            exc_info=True,
        )
    return handed
