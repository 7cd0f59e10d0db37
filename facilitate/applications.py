"""Applications to a program that requires approval, as its facilitators read them
(services/approval.py decides them): who applied, when, their intake answers to the
program's own questions, and where each stands. Read in a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.db.models import Prefetch

from registrations.models import Answer, Registration

from .roster import RosterAnswer, people_with_sensitive_answers, roster_answers
from .selectors import FacilitatedProgram


@dataclass(frozen=True)
class ApplicationRow:
    reference: str
    name: str
    email: str
    phone: str
    price_label: str
    status: str
    status_label: str
    created_at: datetime
    answers: tuple[RosterAnswer, ...]


@dataclass(frozen=True)
class Applications:
    waiting: tuple[ApplicationRow, ...]  # applied or call first, oldest first
    decided: int  # approved, on the waitlist or declined

    @property
    def people_with_sensitive_answers(self) -> int:
        return people_with_sensitive_answers(row.answers for row in self.waiting)


def _row(registration: Registration) -> ApplicationRow:
    return ApplicationRow(
        reference=registration.reference,
        name=registration.name,
        email=registration.email,
        phone=registration.phone,
        price_label=registration.price_label,
        status=registration.status,
        status_label=str(Registration.Status(registration.status).label),
        created_at=registration.created_at,
        answers=roster_answers(registration.answers.all()),
    )


def program_applications(*, facilitated: FacilitatedProgram) -> Applications:
    """The open applications with their answers, and how many were decided."""
    program = facilitated.program
    # Answers to the program's own questions only (a transfer's leftovers stay out).
    answers = Answer.objects.filter(question__program=program).order_by("question__position", "id")
    waiting = (
        Registration.objects.filter(program=program, status__in=Registration.APPLICATION_STATUSES)
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("created_at", "id")
    )
    decided = (
        Registration.objects.filter(program=program, approved_at__isnull=False).count()
        + Registration.objects.filter(program=program, status=Registration.Status.DECLINED).count()
    )
    return Applications(waiting=tuple(_row(r) for r in waiting), decided=decided)


def waiting_count(*, program) -> int:
    return Registration.objects.filter(
        program=program, status__in=Registration.APPLICATION_STATUSES
    ).count()


def open_application(*, facilitated: FacilitatedProgram, reference: str) -> Registration | None:
    """The program's open application with this reference, or None (the page answers 404)."""
    return Registration.objects.filter(
        program=facilitated.program,
        reference=reference,
        status__in=Registration.APPLICATION_STATUSES,
    ).first()


class DeclineForm(forms.Form):
    message = forms.CharField(
        label="A message to the applicant (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent as you write it, in the email that tells them. For example, a "
        "kind word and where else they might find support.",
    )
