"""The registrations admin: find, filter, and change seats and money only through actions."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from registrations import services
from registrations.models import (
    Payment,
    Registration,
    RegistrationLog,
    StripeEvent,
    WaitlistEntry,
)

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    RegistrationFactory,
    WaitlistEntryFactory,
)
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params).content.decode()


def act(client, action, registrations, **data):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in registrations], **data},
    )


def paid_registration(program, standin, email="ada@example.com"):
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Ada Example",
            email=email,
            phone="",
            price_option=program.price_options.first(),
            answers={},
        ),
    )
    services.checkout_start(registration=registration)
    standin.pay(registration.payments.get().checkout_session_id)
    for event in events_of(standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    return registration


def test_search_by_reference_email_and_name(staff):
    ada = RegistrationFactory(name="Ada Lovelace", email="ada@example.com")
    bea = RegistrationFactory(name="Bea Brown", email="bea@example.org")
    assert ada.reference in changelist(staff, q=ada.reference)
    assert bea.reference not in changelist(staff, q=ada.reference)
    assert bea.reference in changelist(staff, q="example.org")
    assert ada.reference in changelist(staff, q="lovelace")


def test_filters_by_program_status_paid_and_waitlist(staff):
    program = ProgramFactory()
    paid = RegistrationFactory(program=program)
    Payment.objects.create(
        registration=paid, checkout_session_id="cs_1", amount_cents=45000, status="paid"
    )
    unpaid = RegistrationFactory(program=program, status=Registration.Status.PENDING)
    elsewhere = RegistrationFactory()
    from_offer = RegistrationFactory(program=program, email="offer@example.com")
    WaitlistEntryFactory(
        program=program, email="OFFER@example.com", status=WaitlistEntry.Status.ACCEPTED
    )

    by_program = changelist(staff, program__id__exact=program.pk)
    assert paid.reference in by_program and elsewhere.reference not in by_program
    pending = changelist(staff, status__exact="pending")
    assert unpaid.reference in pending and paid.reference not in pending
    was_paid = changelist(staff, paid="yes")
    assert paid.reference in was_paid and unpaid.reference not in was_paid
    assert "$450" in was_paid and "$450.00" not in was_paid  # as the site writes money
    offers = changelist(staff, waitlist="accepted")
    assert from_offer.reference in offers and paid.reference not in offers


def test_resend_confirmation_sends_it_again_and_records_who(
    staff, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "resend_confirmation", [registration])
        act(staff, "resend_confirmation", [registration])

    confirmations = OutboundEmail.objects.filter(
        reference=registration.reference, kind="confirmation"
    )
    assert confirmations.count() == 2
    assert [m.to for m in mailoutbox] == [[registration.email], [registration.email]]
    log = RegistrationLog.objects.filter(registration=registration, action="confirmation resent")
    assert [entry.actor for entry in log] == [staff_user, staff_user]


def test_registration_page_links_to_the_emails_the_outbox_filed_under_its_reference(
    staff, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(email="ada@example.com")
    other = RegistrationFactory(email="grace@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, "resend_confirmation", [registration, other])

    page = staff.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).text
    emails_url = reverse("admin:outbox_outboundemail_changelist")
    assert f'href="{emails_url}?reference={registration.reference}"' in page
    listed = staff.get(emails_url, {"reference": registration.reference}).text
    assert "ada@example.com" in listed and "grace@example.com" not in listed
    found = staff.get(emails_url, {"q": other.reference}).text
    assert "grace@example.com" in found and "ada@example.com" not in found


def test_cancel_shows_the_policy_refund_then_refunds_the_amount_chosen(
    staff, staff_user, stripe_standin
):
    registration = paid_registration(ProgramFactory(), stripe_standin)
    page = act(staff, "cancel_with_refund", [registration]).content.decode()
    assert "Policy refund today" in page and "$450" in page and "$450.00" not in page

    act(
        staff,
        "cancel_with_refund",
        [registration],
        apply="1",
        refund="amount",
        amount="120.50",
        reason="Moved to Vancouver",
    )

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [12050]
    refund = registration.payments.get().refunds.get()
    assert (refund.amount_cents, refund.created_by) == (12050, staff_user)
    log = registration.log.get(action="cancelled")
    assert log.actor == staff_user and "Moved to Vancouver" in log.message


def test_cancel_form_says_what_to_fix(staff):
    registration = RegistrationFactory()
    page = act(
        staff, "cancel_with_refund", [registration], apply="1", refund="amount", reason=""
    ).content.decode()
    assert "Enter the amount to refund." in page
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_a_refund_above_what_was_paid_is_refused(staff, stripe_standin):
    registration = paid_registration(ProgramFactory(), stripe_standin)
    response = act(
        staff,
        "cancel_with_refund",
        [registration],
        apply="1",
        refund="amount",
        amount="9999",
        reason="Typo",
    )
    assert "must be between $0 and $450" in staff.get(response["Location"]).content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert stripe_standin.refunds == {}


def test_transfer_moves_the_seat_and_records_who(staff, staff_user):
    registration = RegistrationFactory()
    target = ProgramFactory(title="Spring MSC")
    price = target.price_options.get()
    act(staff, "transfer", [registration], apply="1", program=target.pk, price_option=price.pk)
    registration.refresh_from_db()
    assert registration.program == target
    assert registration.log.get(action="transferred").actor == staff_user


def test_status_and_money_cannot_be_edited_on_the_form(staff, staff_user):
    registration = RegistrationFactory(name="Ada")
    url = reverse("admin:registrations_registration_change", args=[registration.pk])
    page = staff.get(url).content.decode()
    assert 'name="status"' not in page and 'name="amount_due_cents"' not in page
    staff.post(
        url,
        {
            "name": "Ada Lovelace",
            "email": registration.email,
            "phone": "",
            "user": "",
            "status": "cancelled",
            **inline_management_forms(),
        },
    )
    registration.refresh_from_db()
    assert (registration.name, registration.status) == ("Ada Lovelace", "confirmed")
    assert registration.log.get(action="edited").actor == staff_user


def inline_management_forms():
    data = {}
    for prefix in ("answers", "payments", "attendance", "log"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_payments_and_stripe_events_are_read_only(staff, stripe_standin):
    registration = paid_registration(ProgramFactory(), stripe_standin)
    payment = registration.payments.get()
    event = StripeEvent.objects.first()
    for url in (
        reverse("admin:registrations_payment_change", args=[payment.pk]),
        reverse("admin:registrations_stripeevent_change", args=[event.pk]),
    ):
        page = staff.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        assert staff.post(url, {}).status_code == 403
    assert staff.get(reverse("admin:registrations_payment_add")).status_code == 403


def test_waitlist_and_discount_code_admins_open(staff):
    entry = WaitlistEntryFactory(
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    assert (
        entry.email
        in staff.get(reverse("admin:registrations_waitlistentry_changelist")).content.decode()
    )
    assert staff.get(reverse("admin:registrations_discountcode_add")).status_code == 200
    staff.post(
        reverse("admin:registrations_waitlistentry_changelist"),
        {"action": "remove_from_waitlist", ACTION_CHECKBOX_NAME: [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT


def test_facilitators_are_assigned_on_the_program_screen(staff):
    program = ProgramFactory()
    FacilitatorFactory(name="Lead teacher")
    page = staff.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert 'name="facilitators"' in page.content.decode()
    assert "Lead teacher" in page.content.decode()
