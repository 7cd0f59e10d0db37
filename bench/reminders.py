"""Benchmark: one reminder scan over 50 programs × 10 sessions × 100 people, and the
rate at which one worker sends emails (locmem backend).

    .venv/bin/python -m bench.reminders            # SQLite in memory
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python -m bench.reminders

Runs in a throwaway test database (test_<name>), never in the one configured. With
REDIS_URL the worker is a real Celery worker consuming from Redis; without it, from
Celery's in-memory broker.
"""

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--people", type=int, default=100, help="confirmed per program")
    parser.add_argument("--emails", type=int, default=2000, help="emails for the send rate")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omwellness.settings")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} ({name})")
        scan_figures(options)
        send_rate(options.emails)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def build(*, programs: int, sessions: int, people: int, first: datetime) -> None:
    """Programs whose first sessions all fall on the same day, everyone confirmed a month ago."""
    from programs.models import Program, Session
    from registrations.models import Registration

    made = Program.objects.bulk_create(
        Program(
            slug=f"bench-{people}-{n}",
            title=f"Bench program {n}",
            summary="A calm program.",
            format=Program.Format.ONLINE,
            meeting_link="https://meet.example.com/room",
            capacity=people,
            status=Program.Status.PUBLISHED,
        )
        for n in range(programs)
    )
    Session.objects.bulk_create(
        Session(
            program=program,
            title=f"Week {week + 1}",
            starts_at=first + timedelta(weeks=week),
            ends_at=first + timedelta(weeks=week, hours=2),
        )
        for program in made
        for week in range(sessions)
    )
    registered = first - timedelta(days=30)
    Registration.objects.bulk_create(
        Registration(
            program=program,
            reference=f"B{program.pk:05d}{n:04d}",  # random ones may collide among 5,000
            name=f"Person {n}",
            email=f"p{n}-{program.pk}@example.com",
            status=Registration.Status.CONFIRMED,
            created_at=registered,
            confirmed_at=registered,
        )
        for program in made
        for n in range(people)
    )


def timed_scan(moment: datetime) -> tuple[int, float, int]:
    """(emails written, seconds, queries) for one scan at `moment`."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from omwellness.celery import app
    from registrations.reminders import reminders_queue_due

    app.conf.task_always_eager = False  # enqueue to the broker; sending is measured apart
    app.conf.update(broker_url=os.environ.get("REDIS_URL") or "memory://localhost/")
    with time_machine.travel(moment, tick=True):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            written = reminders_queue_due()
            seconds = time.perf_counter() - started
    return written, seconds, len(queries)


def scan_figures(options) -> None:
    from django.utils import timezone

    from outbox.models import OutboundEmail
    from programs.models import Program
    from registrations.models import Registration

    zone = timezone.get_default_timezone()
    rows = []
    for people in sorted({max(1, options.people // 10), options.people}):
        first = datetime(2027, 3, 3, 19, 0, tzinfo=zone)
        build(programs=options.programs, sessions=options.sessions, people=people, first=first)
        day_before = first - timedelta(days=1) + timedelta(hours=-10, minutes=5)
        quiet = first - timedelta(days=8)
        for label, moment in [
            ("nothing due", quiet),
            ("all due", day_before),
            ("all already written", day_before + timedelta(minutes=5)),
        ]:
            written, seconds, queries = timed_scan(moment)
            rows.append((people, label, written, seconds, queries))
        OutboundEmail.objects.all().delete()
        Registration.objects.all().delete()
        Program.objects.all().delete()

    total = options.programs * options.sessions
    print(f"\nreminder scan: {options.programs} programs × {options.sessions} sessions ({total})")
    print(f"{'people':>7} {'scan':<20} {'written':>8} {'seconds':>8} {'queries':>8}")
    for people, label, written, seconds, queries in rows:
        everyone = people * options.programs
        print(f"{everyone:>7} {label:<20} {written:>8} {seconds:>8.3f} {queries:>8}")


def send_rate(count: int) -> None:
    """Emails per second for one worker process, locmem backend.

    With REDIS_URL: `celery worker --concurrency=1` as a separate process on Redis,
    as production runs it. Without: a worker thread on Celery's in-memory broker.
    """
    from django.core import mail

    from omwellness.celery import app
    from outbox.models import OutboundEmail
    from outbox.services import enqueue

    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind="bench",
            dedup_key=f"bench:{n}",
            recipient=f"p{n}@example.com",
            subject="Tomorrow: your program begins",
            body_text="Hello\n" * 40,
            body_html="<p>Hello</p>" * 40,
        )
        for n in range(count)
    )
    ids = list(OutboundEmail.objects.filter(kind="bench").values_list("pk", flat=True))
    redis_url = os.environ.get("REDIS_URL")
    app.conf.task_always_eager = False
    app.conf.update(broker_url=redis_url or "memory://localhost/")
    app.control.purge()  # the scans' messages, whose rows are gone
    mail.outbox = []

    def all_sent() -> bool:
        return OutboundEmail.objects.filter(kind="bench", status="sent").count() == count

    with worker_process(redis_url) if redis_url else worker_thread(app):
        started = time.perf_counter()
        enqueue(email_ids=ids)
        while not all_sent():
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    how = "a worker process on Redis" if redis_url else "a worker thread, in-memory broker"
    print(f"\nsend: {count} emails by one worker ({how}, locmem) in {seconds:.2f} s")
    print(f"      {count / seconds:.0f} emails/second")


def worker_thread(app):
    from celery.contrib.testing.worker import start_worker

    return start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                        loglevel="ERROR")  # fmt: skip


@contextmanager
def worker_process(redis_url: str):
    from django.db import connection

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
        f"@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "EMAIL_URL": "memorymail://", "DJANGO_LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "omwellness", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(5)  # started and connected before the clock starts
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
