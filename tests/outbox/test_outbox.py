"""The outbox (DESIGN rule 5): written with the change, sent once, retried, swept, resent."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from devtools.prodlike import free_port
from outbox import sending, services
from outbox.models import OutboundEmail
from programs.models import PriceOption
from registrations import emails
from registrations.models import Registration

from ..celery_processes import ROOT, RedisServer, celery_worker, process_env, wait_until
from ..factories import ProgramFactory, RegistrationFactory
from ..smtp_standin import SMTPStandIn

pytestmark = pytest.mark.django_db


def queued_email(**fields) -> OutboundEmail:
    values = {
        "kind": "test",
        "dedup_key": f"test:{OutboundEmail.objects.count()}",
        "recipient": "ada@example.com",
        "subject": "Hello",
        "body_text": "Hello Ada",
        "body_html": "<p>Hello Ada</p>",
    }
    values.update(fields)
    return OutboundEmail.objects.create(**values)


@pytest.fixture
def smtp(settings):
    """Sends through Django's SMTP backend to a stand-in server on this machine."""

    def use(**options) -> SMTPStandIn:
        server = SMTPStandIn(**options).__enter__()
        servers.append(server)
        use_smtp(settings, port=server.port)
        return server

    servers: list[SMTPStandIn] = []
    yield use
    for server in servers:
        server.__exit__(None, None, None)


def use_smtp(settings, *, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


def test_outbox_row_is_written_with_the_change_and_rolled_back_with_it(
    django_capture_on_commit_callbacks,
):
    registration = RegistrationFactory(status=Registration.Status.PENDING, confirmed_at=None)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            Registration.objects.filter(pk=registration.pk).update(status="confirmed")
            emails.confirmation(registration=registration)
            raise RuntimeError("the payment could not be recorded")

    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING


def test_outbox_sends_after_commit_and_marks_the_row_sent(django_capture_on_commit_callbacks):
    registration = RegistrationFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            emails.confirmation(registration=registration)
    email = OutboundEmail.objects.get()
    assert (email.status, mail.outbox) == (OutboundEmail.Status.QUEUED, [])
    for callback in callbacks:
        callback()

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    (message,) = mail.outbox
    assert message.extra_headers["Message-ID"] == email.message_id


def test_outbox_row_claimed_or_sent_already_is_not_sent_again():
    email = queued_email()

    assert sending.send(email_id=email.pk).outcome == sending.Outcome.SENT
    assert sending.send(email_id=email.pk).outcome == sending.Outcome.SKIPPED
    busy = queued_email()
    sending.claim(email_id=busy.pk, now=timezone.now())
    assert sending.send(email_id=busy.pk).outcome == sending.Outcome.SKIPPED

    assert len(mail.outbox) == 1


def test_outbox_smtp_outage_keeps_the_row_and_retries_with_growing_delays(settings):
    use_smtp(settings, port=free_port())  # nothing listens there
    email = queued_email()

    delays = [sending.send(email_id=email.pk).retry_in_seconds for _ in range(4)]

    assert delays == [60, 120, 240, 480]
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 4
    assert "ConnectionRefusedError" in email.last_error


def test_outbox_retry_delays_stop_growing_at_half_an_hour():
    assert [sending.retry_delay_seconds(attempts=n) for n in (5, 6, 7, 20)] == [
        16 * 60,
        30 * 60,
        30 * 60,
        30 * 60,
    ]


def test_outbox_temporary_refusal_retries_and_permanent_refusal_fails_at_once(smtp):
    smtp(rcpt_reply_code=451)
    later = queued_email()
    assert sending.send(email_id=later.pk).outcome == sending.Outcome.RETRY

    smtp(rcpt_reply_code=550)
    never = queued_email()
    assert sending.send(email_id=never.pk).outcome == sending.Outcome.FAILED
    never.refresh_from_db()
    assert never.status == OutboundEmail.Status.FAILED
    assert "550" in never.last_error


def test_outbox_sends_through_smtp_with_text_html_and_calendar(smtp):
    server = smtp()
    registration = RegistrationFactory()
    with transaction.atomic():
        emails.confirmation(registration=registration)

    email = OutboundEmail.objects.get()
    assert sending.send(email_id=email.pk).outcome == sending.Outcome.SENT

    (message,) = server.messages
    assert message["To"] == registration.email
    assert message["Message-ID"] == email.message_id
    parts = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)


def test_outbox_gives_up_after_a_day_and_shows_the_failure_in_the_admin(
    settings, client, staff_user
):
    use_smtp(settings, port=free_port())
    email = queued_email(recipient="lost@example.com")
    fine = queued_email(recipient="fine@example.com", status=OutboundEmail.Status.SENT)
    OutboundEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )

    assert sending.send(email_id=email.pk).outcome == sending.Outcome.FAILED

    client.force_login(staff_user)
    page = client.get(reverse("admin:outbox_outboundemail_changelist") + "?status=failed")
    assert page.status_code == 200
    assert "lost@example.com" in page.text
    assert fine.recipient not in page.text


def test_outbox_sweep_finds_rows_left_behind_and_leaves_the_rest():
    now = timezone.now()
    forgotten = queued_email(created_at=now - timedelta(minutes=5))
    queued_email(created_at=now - timedelta(seconds=30))  # still on its way
    worker_died = queued_email(status=OutboundEmail.Status.SENDING, attempts=1)
    worker_busy = queued_email(status=OutboundEmail.Status.SENDING, attempts=1)
    waiting_out_delay = queued_email(attempts=3)  # third failure: waits 4 minutes
    delay_over = queued_email(attempts=3)
    queued_email(status=OutboundEmail.Status.SENT, created_at=now - timedelta(hours=1))
    queued_email(status=OutboundEmail.Status.FAILED, created_at=now - timedelta(days=2))
    OutboundEmail.objects.filter(pk=worker_died.pk).update(claimed_at=now - timedelta(minutes=11))
    OutboundEmail.objects.filter(pk=worker_busy.pk).update(claimed_at=now - timedelta(minutes=1))
    OutboundEmail.objects.filter(pk=waiting_out_delay.pk).update(
        created_at=now - timedelta(minutes=20), claimed_at=now - timedelta(minutes=5)
    )
    OutboundEmail.objects.filter(pk=delay_over.pk).update(
        created_at=now - timedelta(minutes=20), claimed_at=now - timedelta(minutes=7)
    )

    swept = sending.sweep(now=now)

    assert sorted(swept) == sorted([forgotten.pk, worker_died.pk, delay_over.pk])
    worker_died.refresh_from_db()
    assert worker_died.status == OutboundEmail.Status.QUEUED
    assert "stopped while sending" in worker_died.last_error


def test_outbox_stale_sending_waits_twice_the_send_tasks_hard_time_limit(settings):
    settings.CELERY_TASK_TIME_LIMIT = 120
    now = timezone.now()
    email = queued_email(status=OutboundEmail.Status.SENDING, attempts=1)
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=now)

    assert sending.stale_sending_after() == timedelta(minutes=4)
    assert sending.sweep(now=now + timedelta(minutes=3, seconds=59)) == []
    assert sending.sweep(now=now + timedelta(minutes=4, seconds=1)) == [email.pk]


def test_outbox_message_id_is_random_kept_by_a_repeated_send_and_new_for_a_resend(smtp):
    server = smtp()
    first = queued_email(dedup_key="confirmation:1:1.1")
    # Another database (staging, a restored backup) with the same id and dedup key.
    pk, first_message_id = first.pk, first.message_id
    OutboundEmail.objects.all().delete()
    email = queued_email(pk=pk, dedup_key="confirmation:1:1.1")
    assert email.message_id != first_message_id
    assert email.message_id.startswith("<") and email.message_id.endswith("@omwellness.ca>")

    # A worker died after claiming it: the outcome is unknown, and the repeat carries the
    # Message-ID the row was written with, so a server that got the first drops this one.
    sending.claim(email_id=email.pk, now=timezone.now())
    later = timezone.now() + sending.stale_sending_after() + timedelta(minutes=1)
    assert sending.sweep(now=later) == [email.pk]
    assert sending.send(email_id=email.pk).outcome == sending.Outcome.SENT
    copy = services.resend(email=email)
    assert sending.send(email_id=copy.pk).outcome == sending.Outcome.SENT

    email.refresh_from_db()
    assert email.attempts == 2
    assert [m["Message-ID"] for m in server.messages] == [email.message_id, copy.message_id]
    assert copy.message_id != email.message_id


def test_outbox_without_a_broker_a_failed_send_waits_for_the_periodic_flush(
    settings, django_capture_on_commit_callbacks
):
    use_smtp(settings, port=free_port())
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.confirmation(registration=registration)
    email = OutboundEmail.objects.get()
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    call_command("run_periodic_jobs", "--only", "flush-outbox", stdout=StringIO())

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [[registration.email]]


def test_outbox_periodic_jobs_command_runs_every_job(capsys):
    call_command("run_periodic_jobs")

    out = capsys.readouterr().out
    for job in ("expire-holds", "expire-waitlist-offers", "queue-due-reminders", "flush-outbox"):
        assert f"{job}: 0" in out


def test_outbox_admin_searches_shows_bodies_read_only_and_resends(
    client, staff_user, django_capture_on_commit_callbacks
):
    failed = queued_email(
        recipient="grace@example.com",
        status=OutboundEmail.Status.FAILED,
        last_error="SMTPRecipientsRefused: 550",
        body_text="Your place is confirmed.",
        body_html='<p>Your place is confirmed.</p><script>alert("x")</script>',
    )
    queued_email(recipient="other@example.com", status=OutboundEmail.Status.SENT)
    client.force_login(staff_user)
    changelist = reverse("admin:outbox_outboundemail_changelist")

    found = client.get(changelist, {"q": "grace@"})
    detail = client.get(reverse("admin:outbox_outboundemail_change", args=[failed.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(
            changelist, {"action": "resend", "_selected_action": [failed.pk]}, follow=True
        )

    assert "grace@example.com" in found.text and "other@example.com" not in found.text
    assert "Your place is confirmed." in detail.text
    assert "SMTPRecipientsRefused: 550" in detail.text
    assert "<script>alert" not in detail.text
    preview_url = reverse("admin:outbox_outboundemail_html", args=[failed.pk])
    assert f'<iframe sandbox="allow-same-origin" src="{preview_url}"' in detail.text
    preview = client.get(preview_url)
    assert preview.text == failed.body_html
    assert preview["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert 'name="_save"' not in detail.text
    assert "Queued 1 email to send again." in resent.text
    copy = OutboundEmail.objects.exclude(pk=failed.pk).get(recipient="grace@example.com")
    assert copy.status == OutboundEmail.Status.SENT
    assert copy.body_text == failed.body_text
    failed.refresh_from_db()
    assert failed.status == OutboundEmail.Status.FAILED
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]


def register_in_a_web_process(*, program_id: int, email: str, redis_url: str) -> str:
    """Registers for a free place from a separate process, as a web server would."""
    code = (
        "from programs.models import Program\n"
        "from registrations import services\n"
        f"program = Program.objects.get(pk={program_id})\n"
        "data = services.RegistrationInput(name='Ada Example', "
        f"email='{email}', phone='', price_option=program.price_options.get(), answers={{}})\n"
        "print(services.registration_create(program=program, data=data).reference)\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=process_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outbox_redis_down_while_registering_still_confirms_and_sends_when_back():
    program = ProgramFactory(price_options=False)
    PriceOption.objects.create(program=program, label="Scholarship", amount_cents=0)

    with RedisServer(free_port()) as redis, SMTPStandIn() as smtp:
        assert not redis.is_up()
        reference = register_in_a_web_process(
            program_id=program.pk, email="ada@example.com", redis_url=redis.url
        )

        registration = Registration.objects.get(reference=reference)
        assert registration.status == Registration.Status.CONFIRMED
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")
        assert email.status == OutboundEmail.Status.QUEUED

        redis.start()
        with celery_worker(redis_url=redis.url, email_url=smtp.url) as worker:
            # The beat's next flush comes after the sweep's grace period.
            OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=3))
            flush = subprocess.run(
                [sys.executable, "manage.py", "run_periodic_jobs", "--only", "flush-outbox"],
                cwd=ROOT,
                env=process_env(REDIS_URL=redis.url),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert flush.returncode == 0, flush.stderr
            wait_until(lambda: smtp.messages, what="the confirmation", timeout=60)
            email.refresh_from_db()
            wait_until(
                lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent",
                what="the row to be marked sent",
            )
            assert "succeeded" in worker.output()

    (message,) = smtp.messages
    assert message["To"] == "ada@example.com"
    assert reference in message["Subject"]
