"""Demo data for switching terms (called by programs' load_demo, with DEBUG on only: the
demo participant signs in with a known password).

The upcoming MSC term gets a next term open for registration, and "Demo participant 1"
a confirmed, paid seat in it, so "My registrations" offers "Switch to <next term>".
Idempotent: a second run finds the participant's registration and changes nothing.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from programs.models import Program
from programs.services import program_duplicate
from programs.translated import english
from registrations.models import Answer, Payment, Registration

EMAIL = "participant@omwellness.ca"
PASSWORD = "omwellness-demo"  # noqa: S105 - local demo account only (DEBUG)


class Command(BaseCommand):
    help = "Gives the demo participant a seat that can switch to the next MSC term."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        source = (
            Program.objects.filter(title__startswith="Mindful Self-Compassion", previous_terms=None)
            .order_by("pk")
            .first()
        )
        while source is not None and not self.switchable(source, now):
            source = source.next_term
        if source is None or Registration.objects.filter(email=EMAIL).exists():
            return
        if source.next_term is None:
            source.next_term = program_duplicate(program=source, weeks=52)
            source.save(update_fields=["next_term"])
        # Open now for people already in this term, whatever day the demo is loaded.
        target = source.next_term
        Program.objects.filter(pk=target.pk).update(
            status=Program.Status.PUBLISHED, registration_opens_at=None
        )
        user = self.participant()
        price = source.price_options.order_by("position").first()
        registration = Registration.objects.create(
            program=source,
            user=user,
            name="Demo participant 1",
            email=EMAIL,
            price_option=price,
            price_label=price.label if price else "",
            amount_due_cents=price.amount_cents if price else 0,
            status=Registration.Status.CONFIRMED,
            confirmed_at=now,
        )
        Payment.objects.create(
            registration=registration,
            checkout_session_id=f"cs_demo_{registration.reference}",
            amount_cents=registration.amount_due_cents,
            status=Payment.Status.PAID,
            paid_at=now,
        )
        question = source.questions.first()
        if question is not None:
            Answer.objects.create(
                registration=registration,
                question=question,
                question_text=english(question, "text"),
                value="To be kinder to myself.",
            )
        self.stdout.write(
            f"Demo account {EMAIL} / {PASSWORD}: registered for {source.title}, "
            f"can switch to {target.title}"
        )

    def switchable(self, program: Program, now) -> bool:
        first = program.sessions.order_by("starts_at").first()
        deadline = program.switch_deadline(first.starts_at if first else None)
        return deadline is not None and deadline > now

    def participant(self):
        user, created = get_user_model().objects.get_or_create(
            email=EMAIL, defaults={"name": "Demo participant 1"}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
        return user
