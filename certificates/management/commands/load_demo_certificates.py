"""Demo data for certificates, called by `load_demo` with the past program it made.

Six demo participants with attendance marked: four meet the rule (7 of 9 live, the
retreat among them), one missed the retreat, one came to five sessions. Three
certificates are issued (one of them then revoked) and one person who meets the rule is
left for the newcomer to issue from the facilitator page. With DEBUG on, the account
participant@omwellness.ca (the demo password) owns the first participant's
registration, so "My registrations" shows the download. Safe to run twice.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from facilitate.models import Attendance
from programs.management.commands.load_demo import DEMO_PASSWORD
from programs.models import Program
from registrations.models import Registration

from ...models import Certificate
from ...services import certificate_issue, certificate_revoke

PARTICIPANT_ACCOUNT = "participant@omwellness.ca"
# Sessions attended live (of the nine, in order; the retreat is the sixth), per person.
ATTENDANCE = [
    {0, 1, 2, 3, 4, 5, 6, 7, 8},
    {0, 1, 2, 3, 5, 6, 7, 8},
    {0, 1, 2, 4, 5, 6, 8},
    {0, 1, 2, 3, 4, 5, 6},
    {0, 1, 2, 3, 4, 6, 7, 8},  # everything but the retreat
    {0, 1, 2, 3, 4},
]
ISSUED = (0, 1, 2)
REVOKED = 2


class Command(BaseCommand):
    help = "Participants, attendance and certificates for the past demo program (load_demo)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The past program's address.")

    @transaction.atomic
    def handle(self, *args, slug: str, **options):
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise CommandError(f"No program at {slug}")
        if not program.registrations.exists():
            self.participants(program)
        first = (
            Certificate.objects.filter(registration__program=program, revoked_at__isnull=True)
            .order_by("registration__name")
            .first()
        )
        revoked = Certificate.objects.filter(
            registration__program=program, revoked_at__isnull=False
        ).first()
        for label, certificate in (("A certificate", first), ("A revoked one", revoked)):
            if certificate is not None:
                url = settings.SITE_URL + certificate.get_absolute_url()
                self.stdout.write(f"{label} of {program.title}: {url}")

    def participants(self, program: Program) -> None:
        owner = self.participant_account() if settings.DEBUG else None
        teacher = program.facilitators.filter(user__isnull=False).first()
        actor = teacher.user if teacher else None
        sessions = list(program.sessions.order_by("starts_at"))
        confirmed_at = sessions[0].starts_at - timedelta(days=14)
        registrations = [
            Registration.objects.create(
                program=program,
                name=f"Demo participant {n + 1}",
                email=PARTICIPANT_ACCOUNT if n == 0 and owner else f"demo{n + 1}@example.com",
                user=owner if n == 0 else None,
                status=Registration.Status.CONFIRMED,
                price_label="Standard",
                amount_due_cents=0,
                created_at=confirmed_at,
                confirmed_at=confirmed_at,
            )
            for n in range(len(ATTENDANCE))
        ]
        Attendance.objects.bulk_create(
            Attendance(
                registration=registration,
                session=session,
                present=index in attended,
                marked_by=actor,
            )
            for registration, attended in zip(registrations, ATTENDANCE, strict=True)
            for index, session in enumerate(sessions)
        )
        for n in ISSUED:
            certificate, _created = certificate_issue(registration=registrations[n], actor=actor)
            if n == REVOKED:
                certificate_revoke(
                    certificate=certificate, actor=None, reason="Issued by mistake (demo data)."
                )
        self.stdout.write(f"Added demo participants and certificates to {program.title}.")

    def participant_account(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            email=PARTICIPANT_ACCOUNT, defaults={"name": "Demo participant 1"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.create(
                user=user, email=PARTICIPANT_ACCOUNT, verified=True, primary=True
            )
            self.stdout.write(f"Demo account {PARTICIPANT_ACCOUNT} / {DEMO_PASSWORD}")
        return user
