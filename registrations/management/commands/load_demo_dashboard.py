"""Demo data for the staff dashboard (/admin/dashboard/): confirmed registrations on a
program, spread over the days since its registration opened, so its chart has bars.
Called by programs' load_demo by name (the catalogue imports no other app)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from programs.models import Program
from registrations.models import Registration

DAYS_AGO = (9, 8, 8, 6, 3, 3, 3, 1)


class Command(BaseCommand):
    help = "Confirmed demo registrations over the last days, for the dashboard's chart."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug: str, **options):
        program = Program.objects.get(slug=slug)
        if program.registrations.filter(email__startswith="dashboard-demo-").exists():
            return
        now = timezone.now()
        if program.registration_opens_at is None:
            Program.objects.filter(pk=program.pk).update(
                registration_opens_at=now - timedelta(days=10)
            )
        option = program.price_options.order_by("pk").first()
        Registration.objects.bulk_create(
            Registration(
                program=program,
                name=f"Demo participant {n}",
                email=f"dashboard-demo-{n}@example.com",
                price_option=option,
                price_label=option.label if option else "",
                status=Registration.Status.CONFIRMED,
                created_at=now - timedelta(days=days),
                confirmed_at=now - timedelta(days=days),
            )
            for n, days in enumerate(DAYS_AGO, 1)
        )
        self.stdout.write(
            f"{len(DAYS_AGO)} demo registrations on {program.title}: see /admin/dashboard/."
        )
