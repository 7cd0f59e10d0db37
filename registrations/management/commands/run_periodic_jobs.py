"""Runs each periodic job once, for setups without Celery beat (e.g. from cron).

The same jobs beat runs (omwellness/celery.py). Each is idempotent, so running
this more often than needed, or beside beat, costs queries but no second email.
"""

from django.core.management.base import BaseCommand, CommandError

from outbox import tasks as outbox_tasks
from registrations import tasks

JOBS = {
    "expire-holds": tasks.expire_holds,
    "expire-waitlist-offers": tasks.expire_waitlist_offers,
    "queue-due-reminders": tasks.queue_due_reminders,
    "flush-outbox": outbox_tasks.flush_outbox,
    "announce-minimum-decisions": tasks.announce_minimum_decisions,
    "finish-program-cancellations": tasks.finish_program_cancellations,
}


class Command(BaseCommand):
    help = (
        "Runs each periodic job once: expire holds and offers, queue reminders, flush the outbox."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", choices=sorted(JOBS), action="append", help="Run only this job (repeatable)."
        )

    def handle(self, *args, only=None, **options):
        failed = []
        for name, job in JOBS.items():
            if only and name not in only:
                continue
            try:
                # Called in this process, whether or not a broker is configured.
                result = job()
            except Exception as error:  # one failing job must not stop the others
                failed.append(name)
                self.stderr.write(f"{name}: failed: {type(error).__name__}: {error}")
            else:
                self.stdout.write(f"{name}: {result}")
        if failed:
            raise CommandError("Failed: " + ", ".join(failed))
