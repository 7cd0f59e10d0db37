"""The Celery app: Redis in production, eager after commit when no broker is set.

Settings live in omwellness/settings.py under the CELERY_ namespace. The beat
schedule is static and short: every job it runs is idempotent, so a beat that
fires twice or a job that overlaps itself costs a query, never a second email.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omwellness.settings")

app = Celery("omwellness")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Reminders are computed from the current session dates (DESIGN rule 6), so a
    # moved date is followed at the next scan; every 5 minutes keeps them on time.
    "queue-due-reminders": {
        "task": "registrations.tasks.queue_due_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # Re-enqueues outbox rows a broker outage or a killed worker left behind.
    "flush-outbox": {
        "task": "outbox.tasks.flush_outbox",
        "schedule": crontab(minute="*"),
    },
    "expire-holds": {
        "task": "registrations.tasks.expire_holds",
        "schedule": crontab(minute="*"),
    },
    "expire-waitlist-offers": {
        "task": "registrations.tasks.expire_waitlist_offers",
        "schedule": crontab(minute="*/5"),
    },
    # A program's minimum: announced once, from 9:00 am on its decision date.
    "announce-minimum-decisions": {
        "task": "registrations.tasks.announce_minimum_decisions",
        "schedule": crontab(minute="*/15"),
    },
    # Cancelled programs: refunds Stripe could not take, and a cancellation task lost.
    "finish-program-cancellations": {
        "task": "registrations.tasks.finish_program_cancellations",
        "schedule": crontab(minute="*/10"),
    },
    # Erases what the retention settings say is no longer needed (privacy/retention.py);
    # idempotent, so once a day at night is enough, and a missed night catches up.
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(minute=30, hour=3),
    },
}
