"""Demo data for the mailing list, called by `load_demo`: a few people who asked for news
(from the Winter MSC registration form, and from a program page, one still to confirm),
and a draft marketing email to send from the admin. Safe to run twice."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from mailing.models import Consent, MarketingEmail, Subscriber
from mailing.wording import CONSENT_WORDING
from programs.models import Program

MSC_SLUG = "mindful-self-compassion-winter-2026"
DRAFT_SUBJECT = "An open house at the studio"


class Command(BaseCommand):
    help = "Loads demo subscribers and a draft marketing email. Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        msc = Program.objects.filter(slug=MSC_SLUG).first()
        now = timezone.now()
        people = [
            (1, Consent.Source.REGISTRATION, msc, True),
            (2, Consent.Source.REGISTRATION, msc, True),
            (3, Consent.Source.PROGRAM_PAGE, msc, True),
            (4, Consent.Source.PROGRAM_PAGE, None, False),  # has not confirmed yet
        ]
        for number, source, program, confirmed in people:
            email = f"demo.participant{number}@example.com"
            subscriber, created = Subscriber.objects.get_or_create(
                email=email,
                defaults={
                    "name": f"Demo participant {number}",
                    "created_at": now,
                    "confirmed_at": now if confirmed else None,
                },
            )
            if created:
                Consent.objects.create(
                    subscriber=subscriber,
                    email=email,
                    name=subscriber.name,
                    wording=CONSENT_WORDING,
                    source=source,
                    program=program,
                    given_at=now,
                    confirmed_at=now if confirmed else None,
                )
        _email, created = MarketingEmail.objects.get_or_create(
            subject=DRAFT_SUBJECT,
            defaults={
                "body": "Come and meet the teachers, try a short guided practice and ask "
                "anything about the programs this year.\n\n"
                "**Saturday morning, 10 to noon**, at the omwellness studio in Toronto.",
            },
        )
        if created:
            self.stdout.write(
                "Added demo subscribers and a draft marketing email (admin: Mailing list)."
            )
