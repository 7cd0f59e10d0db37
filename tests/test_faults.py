"""Faults from outside: Stripe's answers lost, the database failing mid-fulfilment, Redis
stopped while someone registers. The app itself is never patched; the fault is put in the
path to the outside system (a proxy, the database connection, a trigger, a stopped server).

Already covered elsewhere, so not repeated here: Stripe answering 500 at checkout start
(test_register_views), webhook duplicates, reverse order, storms from threads and a
Stripe outage while fulfilling (test_webhook), Redis down for a registration made by the
service and a worker killed mid-send (test_outbox, test_worker).
"""

import json
import logging
import re
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
import requests
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from devtools import prodlike
from devtools.prodlike import free_port
from devtools.stripe_standin import StripeStandin, signature_header
from outbox.models import OutboundEmail
from registrations import services
from registrations.models import Registration, RegistrationLog, StripeEvent

from .celery_processes import ROOT, RedisServer, celery_worker, process_env, wait_until
from .factories import ProgramFactory
from .forwarding_proxy import ForwardingProxy
from .helpers import form_data, register
from .smtp_standin import SMTPStandIn
from .stripe_fixtures import WEBHOOK_SECRET, events_of

pytestmark = pytest.mark.faults

WEBHOOK = "/stripe/webhook/"


def deliver(client, event: dict):
    body = json.dumps(event)
    return client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
    )


# --- Stripe's answer lost on the way back -----------------------------------------------


class LossyProxy(ForwardingProxy):
    """Between the app and Stripe: forwards every request, and cuts the connection before
    the answer of the next `drop` requests, as a network failure after Stripe acted would."""

    def __init__(self, upstream_url: str):
        super().__init__(upstream_url)
        self.drop = 0
        self.dropped: list[tuple[str, str, str | None]] = []
        self._lock = threading.Lock()

    def drop_answer(self, handler) -> bool:
        with self._lock:
            if self.drop <= 0:
                return False
            self.drop -= 1
            self.dropped.append(
                (handler.command, handler.path, handler.headers.get("Idempotency-Key"))
            )
            return True


@pytest.mark.django_db
def test_stripe_answers_lost_at_checkout_start_keep_one_session_and_charge_once(
    client, program, stripe_standin, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """Stripe makes the session but the answers never arrive: the library retries, gives
    up, the person sees the friendly page; their retry gets the same session back."""
    with LossyProxy(stripe_standin.url) as proxy:
        settings.STRIPE_API_BASE = proxy.url
        proxy.drop = 3  # the first try and the library's two retries
        response = client.post(
            reverse("registrations:register", args=[program.slug]), form_data(program)
        )

        assert response.status_code == 503
        assert "Nothing has been charged" in response.text
        registration = Registration.objects.get()
        assert registration.status == Registration.Status.PENDING
        assert registration.hold_is_live()
        keys = {key for method, path, key in proxy.dropped}
        assert [path for _, path, _ in proxy.dropped] == ["/v1/checkout/sessions"] * 3
        assert len(keys) == 1 and None not in keys
        assert len(stripe_standin.checkout_sessions) == 1  # Stripe did act, once

        retry = client.post(
            reverse("registrations:pay", args=[registration.reference]),
            {"token": registration.access_token},
        )

    (session,) = stripe_standin.checkout_sessions.values()
    assert retry.status_code == 303 and retry["Location"] == session["url"]
    assert registration.payments.get().checkout_session_id == session["id"]
    settings.STRIPE_API_BASE = stripe_standin.url
    assert stripe_standin.pay(session["id"])
    with django_capture_on_commit_callbacks(execute=True):
        for event in stripe_standin.events.values():
            assert deliver(client, event).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert len(stripe_standin.charges) == 1
    assert [m.to for m in mailoutbox] == [[registration.email]]


# --- The database failing in the middle of fulfilment -----------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE")


class FailingWrite:
    """A database connection wrapper that refuses the n-th write made inside a
    transaction, as a full disk or a dropped connection would. Writes after the commit
    (the email sent eagerly) are not fulfilment's and are left alone."""

    def __init__(self, fail_at: int):
        self.fail_at = fail_at
        self.writes = 0
        self.failed = False

    def __call__(self, execute, sql, params, many, context):
        if context["connection"].in_atomic_block and sql.lstrip().upper().startswith(WRITES):
            self.writes += 1
            if self.writes == self.fail_at:
                self.failed = True
                raise OperationalError("could not extend file: No space left on device")
        return execute(sql, params, many, context)


def state(registration: Registration) -> dict:
    registration.refresh_from_db()
    return {
        "status": registration.status,
        "payments": sorted(registration.payments.values_list("status", flat=True)),
        "events": StripeEvent.objects.count(),
        "log": RegistrationLog.objects.filter(registration=registration).count(),
        "emails": OutboundEmail.objects.count(),
        "sent": len(mail.outbox),
    }


def paid_and_undelivered(program, standin, email: str) -> tuple[Registration, dict]:
    registration = register(program, email=email)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    assert standin.pay(session_id)
    (event,) = [
        e
        for e in events_of(standin, "checkout.session.completed")
        if e["data"]["object"]["id"] == session_id
    ]
    return registration, event


@pytest.mark.django_db(transaction=True)
def test_database_failing_at_any_write_of_fulfilment_rolls_back_and_the_retry_confirms(
    client, stripe_standin, mailoutbox
):
    """Every write of a webhook's fulfilment is made to fail in turn: each time the
    webhook answers 503 (Stripe retries), nothing of it stays, and the same event
    delivered again confirms the seat with one confirmation email."""
    program = ProgramFactory(capacity=30)
    position = 0
    while True:
        position += 1
        registration, event = paid_and_undelivered(
            program, stripe_standin, email=f"writer{position}@example.com"
        )
        before = state(registration)
        fault = FailingWrite(fail_at=position)
        with connection.execute_wrapper(fault):
            response = deliver(client, event)
        if not fault.failed:
            assert response.status_code == 200  # fewer writes than `position`: all covered
            break
        assert response.status_code == 503, position
        assert state(registration) == before, position

        assert deliver(client, event).status_code == 200
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CONFIRMED, position
        assert registration.log.filter(action="confirmed").count() == 1
        assert registration.emails.filter(kind="confirmation").count() == 1
        assert [m.to for m in mailoutbox].count([registration.email]) == 1
        assert StripeEvent.objects.get(event_id=event["id"]).processed_at is not None
        assert deliver(client, event).status_code == 200  # a late duplicate changes nothing
        assert registration.emails.count() == 1

    assert position > 5, "fulfilment should write the payment, the seat, the log and the email"


FAIL_OUTBOX_INSERT = """
CREATE FUNCTION omw_fault_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$;
CREATE TRIGGER omw_fault_disk_full BEFORE INSERT ON outbox_outboundemail
FOR EACH ROW EXECUTE FUNCTION omw_fault_disk_full();
"""
REMOVE_FAULT = """
DROP TRIGGER IF EXISTS omw_fault_disk_full ON outbox_outboundemail;
DROP FUNCTION IF EXISTS omw_fault_disk_full();
"""


@contextmanager
def outbox_insert_fails_in_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(FAIL_OUTBOX_INSERT)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(REMOVE_FAULT)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_error_at_the_last_write_of_fulfilment_aborts_it_all(
    client, program, stripe_standin, mailoutbox, caplog
):
    """PostgreSQL itself raises (a trigger answering "disk full") on the confirmation
    email's row, after the payment, the seat and the log were written in that transaction."""
    registration, event = paid_and_undelivered(program, stripe_standin, email="ada@example.com")
    before = state(registration)

    with outbox_insert_fails_in_postgresql(), caplog.at_level(logging.WARNING):
        assert deliver(client, event).status_code == 503
        assert deliver(client, event).status_code == 503  # Stripe's retry, still failing
    assert state(registration) == before
    # Not an outage: logged as an error with its traceback, never swallowed.
    failures = [r for r in caplog.records if r.name == "registrations.views.webhook"]
    assert [r.levelname for r in failures] == ["ERROR", "ERROR"]
    assert all("could not extend file" in str(r.exc_info[1]) for r in failures)

    assert deliver(client, event).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.payments.get().status == "paid"
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]


# --- Redis stopped while someone registers ---------------------------------------------


@contextmanager
def web_server(*, redis_url: str, standin: StripeStandin, port: int):
    """The site under gunicorn on the test database, its broker and cache at `redis_url`."""
    env = process_env(
        REDIS_URL=redis_url,
        SITE_URL=f"http://127.0.0.1:{port}",
        STRIPE_API_BASE=standin.url,
        STRIPE_SECRET_KEY=standin.api_key,
        STRIPE_WEBHOOK_SECRET=standin.webhook_secret,
        DJANGO_LOG_LEVEL="ERROR",
    )
    with prodlike.process(
        prodlike.gunicorn_args(port, workers=1, threads=4),
        env,
        ready_url=f"http://127.0.0.1:{port}/healthz/",
        log=subprocess.DEVNULL,
    ):
        yield f"http://127.0.0.1:{port}"


def pay_on_hosted_page(browser: requests.Session, checkout_url: str) -> requests.Response:
    return browser.post(
        checkout_url,
        data={
            "card_number": "4242 4242 4242 4242",
            "card_expiry": "12 / 34",
            "card_cvc": "123",
            "card_name": "Ada Example",
        },
        allow_redirects=False,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_during_a_registration_it_completes_and_the_email_follows():
    """The program page, the form, Checkout, the webhook and the success page all work with
    the broker and cache gone; the confirmation waits in the outbox and leaves once."""
    program = ProgramFactory(title="Winter Calm")
    port = free_port()
    standin = StripeStandin(
        api_key="sk_test_faults",
        webhook_secret="whsec_faults",
        webhook_url=f"http://127.0.0.1:{port}{WEBHOOK}",
        retry_delays=(0.2, 0.5, 1, 2),
    )
    with (
        standin,
        RedisServer(free_port()) as redis,
        SMTPStandIn() as smtp,
    ):
        redis.start()
        with web_server(redis_url=redis.url, standin=standin, port=port) as site:
            browser = requests.Session()
            program_url = f"{site}/programs/{program.slug}/"
            assert browser.get(program_url).status_code == 200  # cached while Redis runs
            redis.stop()

            assert browser.get(program_url).status_code == 200
            # Sign-in counts its attempts in the cache: it refuses politely, never unlimited.
            assert browser.get(f"{site}/accounts/login/").status_code == 200
            login = browser.post(
                f"{site}/accounts/login/",
                data={
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                    "login": "nobody@example.com",
                    "password": "wrong password",
                },
            )
            assert login.status_code == 429
            form_url = f"{site}/programs/{program.slug}/register/"
            assert browser.get(form_url).status_code == 200
            posted = browser.post(
                form_url,
                data={"csrfmiddlewaretoken": browser.cookies["csrftoken"], **form_data(program)},
                allow_redirects=False,
            )
            assert posted.status_code == 303, posted.text[:2000]
            paid = pay_on_hosted_page(browser, posted.headers["Location"])
            assert paid.status_code in (302, 303)
            assert standin.wait_for_deliveries(timeout=30)
            assert not standin.undelivered
            success = browser.get(paid.headers["Location"])
            assert success.status_code == 200 and "You're registered" in success.text

        reference = re.search(r"OMW-[0-9A-Z]{5}", success.url).group(0)
        registration = Registration.objects.get(reference=reference)
        assert registration.status == Registration.Status.CONFIRMED
        email = OutboundEmail.objects.get(reference=registration.reference, kind="confirmation")
        assert email.status == OutboundEmail.Status.QUEUED and smtp.messages == []

        redis.start()
        with celery_worker(redis_url=redis.url, email_url=smtp.url) as worker:
            # The beat's flush, once the row is past the sweep's grace period.
            OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=3))
            celery_call("outbox.tasks.flush_outbox", redis_url=redis.url)
            wait_until(
                lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent",
                what="the confirmation to be sent",
                timeout=60,
            )
            celery_call("outbox.tasks.flush_outbox", redis_url=redis.url)
            celery_call("outbox.tasks.send_email", redis_url=redis.url, args=[email.pk])
            wait_until(lambda: worker.output().count("succeeded") >= 4, what="the late tasks")

    assert [(m["To"], reference in m["Subject"]) for m in smtp.messages] == [
        ("ada@example.com", True)
    ]


def celery_call(task: str, *, redis_url: str, args: list | None = None) -> None:
    """Sends a task through the broker as the beat does."""
    command = [sys.executable, "-m", "celery", "-A", "omwellness", "call", task]
    if args:
        command += ["--args", json.dumps(args)]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=process_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
