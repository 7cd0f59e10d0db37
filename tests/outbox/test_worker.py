"""A real Celery worker on the real Redis: what production runs, end to end.

Needs PostgreSQL (the worker is another process sharing the database) and Redis
(REDIS_URL, set in CI). The worker sends through SMTP to a stand-in server here.
"""

import os
import signal
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from outbox import sending
from outbox import services as outbox_services
from outbox.models import OutboundEmail
from programs.models import PriceOption
from registrations import services
from registrations.models import Registration

from ..celery_processes import celery_worker, subprocess_database_url, wait_until
from ..factories import ProgramFactory
from ..smtp_standin import SMTPStandIn

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL (CI sets it)")
    return url


@pytest.fixture
def broker(redis_url):
    """This process publishes to the real Redis, as the web server does."""
    from omwellness.celery import app

    app.conf.task_always_eager = False
    return redis_url


def register_free_place(email: str) -> Registration:
    program = ProgramFactory(price_options=False)
    option = PriceOption.objects.create(program=program, label="Scholarship", amount_cents=0)
    data = services.RegistrationInput(
        name="Ada Example", email=email, phone="", price_option=option, answers={}
    )
    return services.registration_create(program=program, data=data)


def test_worker_sends_a_confirmation_end_to_end(broker):
    with SMTPStandIn() as smtp, celery_worker(redis_url=broker, email_url=smtp.url) as worker:
        registration = register_free_place("ada@example.com")

        wait_until(lambda: smtp.messages, what="the confirmation", timeout=60)
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")
        wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent", what="status sent"
        )
        assert "outbox.tasks.send_email" in worker.output()

    (message,) = smtp.messages
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == (
        f"You're registered: {registration.program.title} ({registration.reference})"
    )
    assert message["Message-ID"] == email.message_id
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert b"BEGIN:VEVENT" in calendar.get_payload(decode=True)


def skipped(worker) -> int:
    return worker.output().count("'skipped'")


def test_worker_structure_killed_mid_send_delivers_once_under_the_same_message_id(broker):
    """Killed before the server accepted the message: nothing arrived, the outcome is
    unknown to the outbox, and the sweep sends the row again, long after any worker could
    still be at it, under the Message-ID it was written with."""
    with (
        SMTPStandIn(hold_data=True) as smtp,
        celery_worker(redis_url=broker, email_url=smtp.url) as worker,
    ):
        registration = register_free_place("grace@example.com")
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")

        # The worker's child is inside the SMTP conversation when it is killed.
        assert smtp.data_started.wait(timeout=60), worker.output()
        (child,) = worker.child_pids()
        os.kill(child, signal.SIGKILL)

        # acks_late + reject_on_worker_lost: the message comes back at once, finds the
        # row claimed, and leaves it; the claim is what stops a second send.
        wait_until(lambda: skipped(worker) == 1, what="the redelivery", timeout=60)
        assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENDING
        smtp.hold_data = False
        smtp.release.set()

        # Not before twice the task's hard time limit: a slow worker may still be sending.
        soon = timezone.now() + sending.stale_sending_after() - timedelta(seconds=10)
        assert sending.sweep(now=soon) == []
        later = timezone.now() + sending.stale_sending_after() + timedelta(minutes=1)
        assert outbox_services.enqueue(email_ids=sending.sweep(now=later)) == 1
        wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent", what="status sent"
        )
        # Another sweep and a late duplicate of the task change nothing.
        assert sending.sweep(now=later) == []
        outbox_services.enqueue(email_ids=[email.pk])
        wait_until(lambda: skipped(worker) == 2, what="the late duplicate", timeout=60)
        assert "WorkerLostError" in worker.output()

    assert [(m["To"], m["Message-ID"]) for m in smtp.messages] == [
        ("grace@example.com", email.message_id)
    ]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)


def test_worker_structure_killed_after_the_server_accepted_delivers_once(broker):
    """Killed while saying goodbye to a server that has the message: "sent" was recorded
    before the goodbye, so neither the redelivered task nor the sweep sends it again."""
    with (
        SMTPStandIn(hold_quit=True) as smtp,
        celery_worker(redis_url=broker, email_url=smtp.url) as worker,
    ):
        registration = register_free_place("hedy@example.com")
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")

        assert smtp.quit_started.wait(timeout=60), worker.output()
        (child,) = worker.child_pids()
        os.kill(child, signal.SIGKILL)

        wait_until(lambda: skipped(worker) == 1, what="the redelivery", timeout=60)
        smtp.hold_quit = False
        smtp.release.set()
        later = timezone.now() + sending.stale_sending_after() + timedelta(minutes=1)
        assert sending.sweep(now=later) == []
        assert "WorkerLostError" in worker.output()

    assert [m["To"] for m in smtp.messages] == ["hedy@example.com"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


UPDATES_FAIL = """
CREATE FUNCTION omw_fault_no_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'could not write to file: No space left on device'
USING ERRCODE = 'disk_full'; END $$;
CREATE TRIGGER omw_fault_no_updates BEFORE UPDATE ON outbox_outboundemail
FOR EACH ROW EXECUTE FUNCTION omw_fault_no_updates();
"""
UPDATES_WORK = """
DROP TRIGGER IF EXISTS omw_fault_no_updates ON outbox_outboundemail;
DROP FUNCTION IF EXISTS omw_fault_no_updates();
"""


def run_sql(sql: str, params: tuple = ()) -> None:
    """On a connection of its own, as another client of the database would."""
    with psycopg.connect(subprocess_database_url(), autocommit=True) as db:
        db.execute(sql, params)


@pytest.mark.parametrize("outage", ["brief", "long"])
def test_worker_structure_database_failing_after_acceptance_records_sent_and_never_resends(
    broker, outage
):
    """The server has accepted the message when the outbox table stops taking writes
    (a full disk): the worker tries the record again, never the send. A brief outage is
    waited out inside the task; a long one is handed to the record task, which retries."""
    with (
        SMTPStandIn(on_accept=lambda: run_sql(UPDATES_FAIL)) as smtp,
        celery_worker(redis_url=broker, email_url=smtp.url) as worker,
    ):
        try:
            registration = register_free_place("ida@example.com")
            email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")
            wait_until(
                lambda: "trying the record again, not the send" in worker.output(),
                what="the record to fail",
                timeout=60,
            )
            if outage == "long":
                wait_until(
                    lambda: (
                        "outbox.tasks.record_sent" in worker.output()
                        and "Retry in" in worker.output()
                    ),
                    what="the record to be handed to its own task, and retried",
                    timeout=90,
                )
            assert OutboundEmail.objects.get(pk=email.pk).status == "sending"
        finally:
            run_sql(UPDATES_WORK)
        smtp.on_accept = None
        # The database is back and the sweep may come before the record task does: it
        # finds the acceptance noted, records it, and sends nothing again.
        later = timezone.now() + sending.stale_sending_after() + timedelta(minutes=1)
        assert sending.sweep(now=later) == []

        wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent",
            what="the row to be marked sent",
            timeout=60,
        )
        assert sending.sweep(now=later) == []

    assert [m["To"] for m in smtp.messages] == ["ida@example.com"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)


# Every connection to the test database but this test's own and the one running this.
DROP_OTHER_CONNECTIONS = """
SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s
"""


def test_worker_structure_connection_broken_after_acceptance_records_sent_once(broker):
    """PostgreSQL drops the worker's connection (a crash, a restart) right after the
    server accepted the message: the record is written on a new connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (own_pid,) = cursor.fetchone()
    dropped = []

    def drop_connections():
        if not dropped:
            dropped.append(True)
            run_sql(DROP_OTHER_CONNECTIONS, (own_pid,))

    with (
        SMTPStandIn(on_accept=drop_connections) as smtp,
        celery_worker(redis_url=broker, email_url=smtp.url) as worker,
    ):
        registration = register_free_place("joan@example.com")
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")
        wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent",
            what="the row to be marked sent",
            timeout=60,
        )
        assert "trying the record again, not the send" in worker.output()

    assert dropped
    assert [m["To"] for m in smtp.messages] == ["joan@example.com"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
