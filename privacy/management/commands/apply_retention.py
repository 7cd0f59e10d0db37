"""Applies the retention rules once (the job beat runs daily), e.g. from cron."""

from django.core.management.base import BaseCommand

from privacy.retention import retention_apply


class Command(BaseCommand):
    help = "Erases personal data the retention settings say is no longer needed; prints counts."

    def handle(self, *args, **options):
        self.stdout.write(f"retention: erased {retention_apply()}")
