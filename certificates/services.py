"""Issuing and revoking certificates of completion.

Issuing is idempotent: a registration has at most one certificate (a one-to-one row),
decided under the registration's row lock, so issuing twice, from two tabs or two
facilitators at once, gives the one certificate and one email. The lock order is the
booking core's (`registrations/services/availability.py`): the registration first;
nothing here locks a program.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone, translation

from facilitate.completion import CompletionRow, program_completion
from programs.models import Program
from registrations.models import Registration
from registrations.services.log import registration_log

from . import emails
from .models import Certificate

ISSUED = "certificate_issued"
REVOKED = "certificate_revoked"


class CertificateRefused(Exception):
    """The certificate cannot be issued; the message says why, for the facilitator."""


def _snapshot(*, program: Program, row: CompletionRow, sessions, language: str) -> dict:
    # The program's title as the holder reads it: a French registration's certificate
    # keeps the French title (the program's own fallback when it has none).
    with translation.override(language):
        title = str(program.title)
    return {
        "name": row.name,
        "program_title": title,
        "first_day": timezone.localdate(sessions[0].starts_at),
        "last_day": timezone.localdate(max(s.ends_at for s in sessions)),
        "sessions_attended": row.attended,
        "sessions_total": len(sessions),
        "live_minutes": row.live_minutes,
        "facilitators": ", ".join(program.facilitators.values_list("name", flat=True)),
    }


@transaction.atomic
def certificate_issue(
    *, registration: Registration, actor, now: datetime | None = None
) -> tuple[Certificate, bool]:
    """The registration's certificate and whether it is new (as `get_or_create`): the
    one it has, or a new one when its program has ended and it meets the rule (then
    logged and emailed). A revoked certificate is returned as it is: issuing never
    brings one back."""
    now = now or timezone.now()
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    existing = Certificate.objects.filter(registration=locked).first()
    if existing is not None:
        return existing, False
    program = Program.objects.get(pk=locked.program_id)
    completion = program_completion(program=program, registration_ids=[locked.pk], now=now)
    if not completion.has_rule:
        raise CertificateRefused(f"{program.title} gives no certificate of completion.")
    if not completion.has_ended:
        raise CertificateRefused("Certificates are issued once the last session has ended.")
    row = completion.row(locked.pk)
    if row is None or not row.meets_rule:
        raise CertificateRefused(f"{locked.name} does not meet the completion rule.")
    certificate = Certificate.objects.create(
        registration=locked,
        issued_at=now,
        issued_by=actor,
        **_snapshot(
            program=program, row=row, sessions=completion.sessions, language=locked.language
        ),
    )
    registration_log(
        registration=locked,
        action=ISSUED,
        message=f"Certificate of completion {certificate.code} issued.",
        actor=actor,
    )
    emails.certificate_issued(certificate=certificate)
    return certificate, True


@dataclass(frozen=True)
class IssueResult:
    issued: int  # new certificates
    already: int  # people who meet the rule and had one


def certificates_issue_all(*, program: Program, actor, now: datetime | None = None) -> IssueResult:
    """A certificate for everyone who meets the rule once the program has ended; safe
    to run again (those who have one are counted, not issued twice)."""
    now = now or timezone.now()
    completion = program_completion(program=program, now=now)
    if not completion.has_rule:
        raise CertificateRefused(f"{program.title} gives no certificate of completion.")
    if not completion.has_ended:
        raise CertificateRefused("Certificates are issued once the last session has ended.")
    issued = 0
    to_issue = completion.to_issue
    registrations = Registration.objects.in_bulk([row.registration_id for row in to_issue])
    for row in to_issue:
        _certificate, created = certificate_issue(
            registration=registrations[row.registration_id], actor=actor, now=now
        )
        issued += created
    return IssueResult(issued=issued, already=completion.meeting - issued)


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor, reason: str, now: datetime | None = None
) -> bool:
    """Revokes the certificate with a reason (its page then says only that it was
    revoked); False when it was revoked already, which changes nothing."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValueError("A certificate is revoked with a reason.")
    registration = Registration.objects.select_for_update().get(pk=certificate.registration_id)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = now or timezone.now()
    locked.revoked_by = actor
    locked.revoked_reason = reason[:300]
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    registration_log(
        registration=registration,
        action=REVOKED,
        message=f"Certificate of completion {locked.code} revoked: {locked.revoked_reason}",
        actor=actor,
    )
    return True
