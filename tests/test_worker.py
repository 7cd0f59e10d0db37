"""A real Celery worker on the real Redis: what production runs, end to end.

Needs PostgreSQL (the worker is another process sharing the database) and Redis
(REDIS_URL, set in CI). The worker sends through SMTP to a stand-in server here.
"""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from outbox import sending
from outbox import services as outbox_services
from outbox.models import OutboundEmail
from programs.models import PriceOption
from registrations import services
from registrations.models import Registration

from .celery_processes import celery_worker, wait_until
from .factories import ProgramFactory
from .smtp_standin import SMTPStandIn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


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


def test_worker_killed_mid_send_does_not_send_twice(broker):
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
        wait_until(lambda: "'skipped'" in worker.output(), what="the redelivery", timeout=60)
        assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENDING
        smtp.hold_data = False
        smtp.release.set()

        # Later the sweep sees the row stuck in "sending" and hands it over again.
        later = timezone.now() + sending.stale_sending_after() + timedelta(minutes=1)
        assert outbox_services.enqueue(email_ids=sending.sweep(now=later)) == 1
        wait_until(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent", what="status sent"
        )
        # Another sweep and a late duplicate of the task change nothing.
        outbox_services.enqueue(email_ids=[email.pk, *sending.sweep(now=later)])
        time.sleep(2)
        assert "WorkerLostError" in worker.output()

    assert [m["To"] for m in smtp.messages] == ["grace@example.com"]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)
