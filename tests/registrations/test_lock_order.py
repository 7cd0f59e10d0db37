"""availability's lock order under real concurrency on PostgreSQL.

Two flows that touch the same registration and its program run at once, many times:
each must finish (PostgreSQL kills one side of a circular wait with "deadlock
detected"), and the registration must end in a state one of the two orders gives. A
slow Stripe refund must not hold up other people registering for the program.
"""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from registrations import payments, services
from registrations.models import Payment, Refund, Registration

from ..factories import ProgramFactory
from ..stripe_fixtures import events_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 15


def _register(program, email):
    data = services.RegistrationInput(
        name="Ada Example",
        email=email,
        phone="",
        price_option=program.price_options.first(),
        answers={},
    )
    return services.registration_create(program=program, data=data)


def _lapse(registration):
    """The hold ran out a minute ago; the periodic expiry has not run yet."""
    registration.hold_expires_at = timezone.now() - timedelta(minutes=1)
    registration.save(update_fields=["hold_expires_at"])


def _race(*flows):
    """Runs the flows at once, each on its own connection; returns what each raised."""
    start = threading.Barrier(len(flows))
    raised: list[BaseException | None] = [None] * len(flows)

    def run(index, flow):
        try:
            start.wait()
            flow()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            raised[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, flow)) for i, flow in enumerate(flows)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised


def _unexpected(raised, allowed=()):
    return [repr(error) for error in raised if error is not None and not isinstance(error, allowed)]


def test_structure_cancel_and_hold_expiry_of_one_registration_never_deadlock():
    """Staff cancel a hold while the periodic task expires it: one of them wins."""
    problems = []
    for n in range(ROUNDS):
        program = ProgramFactory(capacity=3)
        registration = _register(program, f"cancel-expiry{n}@example.com")
        _lapse(registration)

        raised = _race(
            lambda registration=registration: services.registration_cancel(
                registration=registration
            ),
            services.holds_expire_stale,
        )

        # The cancel finds the hold already expired when the expiry got there first.
        problems += _unexpected(raised, allowed=(services.CancellationRefused,))
        registration.refresh_from_db()
        assert registration.status in (
            Registration.Status.CANCELLED,
            Registration.Status.EXPIRED,
        )
        assert not program.registrations.holding_seats().exists()
    assert not problems, problems


def test_structure_cancel_and_late_payment_of_one_registration_never_deadlock(stripe_standin):
    """A payment lands after the hold ran out, while staff cancel the registration: the
    seat ends free and the money is refunded once, whichever came first."""
    problems = []
    for n in range(ROUNDS):
        program = ProgramFactory(capacity=3)
        registration = _register(program, f"cancel-late{n}@example.com")
        services.checkout_start(registration=registration)
        session_id = registration.payments.get().checkout_session_id
        _lapse(registration)
        assert stripe_standin.pay(session_id)

        raised = _race(
            lambda session_id=session_id: services.registration_fulfill(
                checkout_session_id=session_id
            ),
            lambda registration=registration: services.registration_cancel(
                registration=registration
            ),
        )

        problems += _unexpected(raised)
        registration.refresh_from_db()
        payment = Payment.objects.get(checkout_session_id=session_id)
        assert registration.status in (
            Registration.Status.CANCELLED,
            Registration.Status.REFUNDED,
        )
        assert payment.status == Payment.Status.PAID
        assert payment.amount_refunded_cents == payment.amount_cents == 45000
        assert Refund.objects.filter(payment=payment).count() == 1
        assert not program.registrations.holding_seats().exists()
    assert not problems, problems


def test_structure_transfer_and_a_refund_from_stripe_never_deadlock(stripe_standin):
    """Staff move a paid person to another program while Stripe reports a full refund
    made in its dashboard: the refund ends the registration wherever it is."""
    problems = []
    for n in range(ROUNDS):
        source, target = ProgramFactory(capacity=3), ProgramFactory(capacity=3)
        registration = _register(source, f"moving{n}@example.com")
        services.checkout_start(registration=registration)
        payment = registration.payments.get()
        assert stripe_standin.pay(payment.checkout_session_id)
        services.registration_fulfill(checkout_session_id=payment.checkout_session_id)
        payment.refresh_from_db()
        payments.refund_create(
            payment_intent_id=payment.payment_intent_id,
            amount_cents=45000,
            idempotency_key=f"dashboard-{n}",
            reason="dashboard",
        )
        refunded = [
            event
            for event in events_of(stripe_standin, "charge.refunded")
            if event["data"]["object"]["payment_intent"] == payment.payment_intent_id
        ]

        raised = _race(
            lambda event=refunded[0]: services.stripe_event_process(event=event),
            lambda registration=registration, target=target: services.registration_transfer(
                registration=registration,
                program=target,
                price_option=target.price_options.first(),
                actor=None,
            ),
        )

        # The transfer is refused when the refund ended the registration first.
        problems += _unexpected(raised, allowed=(services.TransferRefused,))
        registration.refresh_from_db()
        payment.refresh_from_db()
        assert registration.status == Registration.Status.REFUNDED
        assert payment.amount_refunded_cents == 45000
        assert not source.registrations.holding_seats().exists()
        assert not target.registrations.holding_seats().exists()
    assert not problems, problems


def _in_flight_elsewhere():
    """Whether another connection to this database is inside a transaction, waiting."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
        )
        return cursor.fetchone()[0] > 0


def test_structure_a_slow_refund_does_not_hold_up_registering_for_the_program(stripe_standin):
    """While Stripe takes its time over a cancellation's refund, someone else registers
    for the same program and is done first."""
    program = ProgramFactory(capacity=5)
    paid = _register(program, "leaving@example.com")
    services.checkout_start(registration=paid)
    assert stripe_standin.pay(paid.payments.get().checkout_session_id)
    services.registration_fulfill(checkout_session_id=paid.payments.get().checkout_session_id)
    finished: list[str] = []
    registered = threading.Event()
    raised: list[BaseException] = []

    def cancel():
        try:
            services.registration_cancel(registration=paid)
            finished.append("cancelled")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            raised.append(error)
        finally:
            connection.close()

    def register():
        try:
            _register(program, "arriving@example.com")
            finished.append("registered")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            raised.append(error)
        finally:
            registered.set()
            connection.close()

    cancelling = threading.Thread(target=cancel)
    registering = threading.Thread(target=register)
    with stripe_standin.lock:  # the stand-in answers no request until it is let go
        cancelling.start()
        deadline = timezone.now() + timedelta(seconds=30)
        while not _in_flight_elsewhere() and timezone.now() < deadline:
            threading.Event().wait(0.01)
        registering.start()
        # Waits for the registration as long as it takes, up to a bound that only a
        # registration stuck behind the refund ever reaches.
        registered.wait(timeout=30)
    cancelling.join()
    registering.join()

    assert not raised, raised
    assert finished == ["registered", "cancelled"]
    paid.refresh_from_db()
    assert paid.status == Registration.Status.REFUNDED
    assert paid.payments.get().amount_refunded_cents == 45000
    arriving = Registration.objects.get(email="arriving@example.com")
    assert arriving.status == Registration.Status.PENDING


FAIL_CANCELLED_LOG = """
CREATE FUNCTION omw_fault_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.action = 'cancelled' THEN
    RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER omw_fault_log BEFORE INSERT ON registrations_registrationlog
FOR EACH ROW EXECUTE FUNCTION omw_fault_log();
"""
REMOVE_FAULT = """
DROP TRIGGER IF EXISTS omw_fault_log ON registrations_registrationlog;
DROP FUNCTION IF EXISTS omw_fault_log();
"""


def test_structure_a_cancel_failing_after_its_refund_is_retried_without_a_second_refund(
    stripe_standin,
):
    """Stripe refunded, then the database failed before the seat was released: nothing of
    the cancellation stays here, and the retry records that same refund and frees the seat."""
    program = ProgramFactory(capacity=5)
    registration = _register(program, "leaving@example.com")
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    assert stripe_standin.pay(session_id)
    services.registration_fulfill(checkout_session_id=session_id)

    with connection.cursor() as cursor:
        cursor.execute(FAIL_CANCELLED_LOG)
    try:
        with pytest.raises(DatabaseError, match="could not extend file"):
            services.registration_cancel(registration=registration)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(REMOVE_FAULT)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.payments.get().amount_refunded_cents == 0
    assert not Refund.objects.exists()
    assert len(stripe_standin.refunds) == 1  # Stripe did refund before the failure

    services.registration_cancel(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert registration.payments.get().amount_refunded_cents == 45000
    assert Refund.objects.count() == 1
    assert len(stripe_standin.refunds) == 1
    assert not program.registrations.holding_seats().exists()
