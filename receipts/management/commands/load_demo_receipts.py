"""Demo data for receipts: the centre registered for HST, and one paid registration of
the Winter MSC program with its numbered receipt, so a newcomer sees tax on a receipt.

Called by programs' `load_demo`. Idempotent: a second run changes nothing.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from omwellness.models import Centre
from programs.management.commands.load_demo import MSC_SLUG
from programs.models import Program
from registrations.models import Payment, Registration
from registrations.services.terms import amount_due

from ...services import receipt_for_payment

# The business number's format as the CRA writes it in its examples: nine digits, the
# program identifier RT and a four-digit reference. Not a real registration.
DEMO_BUSINESS_NUMBER = "123456789 RT0001"
DEMO_EMAIL = "participant1@example.com"


class Command(BaseCommand):
    help = "Registers the demo centre for HST and adds a paid registration with its receipt."

    @transaction.atomic
    def handle(self, *args, **options):
        centre = Centre.current()
        if not centre.business_number:
            centre.hst_registered = True
            centre.business_number = DEMO_BUSINESS_NUMBER
            centre.save()
            self.stdout.write(f"The demo centre charges HST (BN {DEMO_BUSINESS_NUMBER}).")
        program = Program.objects.filter(slug=MSC_SLUG).first()
        if program is None or program.registrations.filter(email=DEMO_EMAIL).exists():
            return
        price = program.price_options.order_by("position", "amount_cents").last()
        if price is None:
            return
        due = amount_due(price_option=price, discount=None, program=program)
        now = timezone.now()
        registration = Registration.objects.create(
            program=program,
            name="Demo participant 1",
            email=DEMO_EMAIL,
            price_option=price,
            price_label=price.label,
            amount_due_cents=due.total_cents,
            tax_cents=due.tax_cents,
            status=Registration.Status.CONFIRMED,
            confirmed_at=now,
            agreed_to_policy_at=now,
        )
        payment = Payment.objects.create(
            registration=registration,
            checkout_session_id=f"cs_demo_{registration.reference}",
            payment_intent_id=f"pi_demo_{registration.reference}",
            amount_cents=due.total_cents,
            status=Payment.Status.PAID,
            paid_at=now,
        )
        receipt = receipt_for_payment(payment=payment)
        if receipt is not None:
            self.stdout.write(
                f"Demo receipt {receipt.label} for {registration.reference}: in the admin under "
                f"Receipts, or at /registrations/{registration.reference}/"
            )
