"""Numbered receipts and credit notes: issued with the money, once, read back from the PDF."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omwellness.models import Centre
from receipts.models import Receipt
from registrations import services
from registrations.models import Payment
from registrations.services.refunds import refund_payment

from ..factories import ProgramFactory, RegistrationFactory, UserFactory, staff_with
from ..helpers import deliver, pdf_text, receipt_for, register
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db


def download(client, receipt):
    return client.get(
        reverse("receipts:download", args=[receipt.registration.reference, receipt.number])
    )


def test_receipt_is_issued_with_the_payment_and_snapshots_the_sale(hst, pay):
    registration = pay(ProgramFactory(title="Winter Calm"), email="ada@example.com")
    receipt = registration.receipts.get()
    assert receipt.kind == Receipt.Kind.PAYMENT and receipt.number == 1
    assert receipt.payment == registration.payments.get()
    assert (receipt.before_tax_cents, receipt.tax_cents, receipt.total_cents) == (
        45000,
        5850,
        50850,
    )
    assert (receipt.tax_name, receipt.tax_rate_label) == ("HST", "13%")
    assert receipt.business_number == hst.business_number
    assert receipt.seller_name == "omwellness Centre Inc."
    assert receipt.buyer_name == "Ada Example"
    assert "Winter Calm: Standard" in receipt.description

    # Later changes to the centre never alter a receipt already issued.
    hst.legal_name, hst.tax_rate_percent = "Renamed Inc.", Decimal("15")
    hst.save()
    receipt.refresh_from_db()
    assert receipt.seller_name == "omwellness Centre Inc." and receipt.tax_cents == 5850


def test_receipt_once_for_duplicate_webhooks_and_the_success_page(
    client, hst, program, stripe_standin
):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.pay(session_id)
    event = events_of(stripe_standin, "checkout.session.completed")[0]
    for _ in range(3):
        assert deliver(client, event).status_code == 200
    services.registration_fulfill(checkout_session_id=session_id)
    assert Receipt.objects.count() == 1
    assert Receipt.objects.get().number == 1


def test_receipt_numbers_follow_each_other_across_registrations(hst, pay):
    program = ProgramFactory(capacity=5)
    numbers = [pay(program, email=f"p{i}@example.com").receipts.get().number for i in range(3)]
    assert numbers == [1, 2, 3]


def test_receipt_credit_note_for_a_refund_names_the_original(hst, pay):
    registration = pay(ProgramFactory())
    services.registration_cancel(registration=registration)
    original, credit = registration.receipts.order_by("number")
    assert credit.kind == Receipt.Kind.CREDIT_NOTE and credit.original == original
    assert credit.number == original.number + 1
    assert credit.refund == registration.payments.get().refunds.get()
    assert (credit.before_tax_cents, credit.tax_cents, credit.total_cents) == (45000, 5850, 50850)
    text = pdf_text(download_as_owner(credit))
    assert "Credit note" in text and f"Original receipt: {original.label}" in text


def download_as_owner(receipt):
    """The PDF as its buyer gets it: the emailed link's token, traded for a cookie."""
    registration = receipt.registration
    response = Client().get(
        reverse("receipts:download", args=[registration.reference, receipt.number]),
        {"token": registration.access_token},
        follow=True,
    )
    assert response.status_code == 200
    return response.content


def test_receipt_partial_refunds_credit_their_share_of_the_tax(hst, pay, staff_user):
    registration = pay(ProgramFactory())
    payment = registration.payments.get()
    refund_payment(payment=payment, amount_cents=10000, reason="part", key="one")
    refund_payment(payment=payment, amount_cents=40850, reason="rest", key="two")
    original, first, second = registration.receipts.order_by("number")
    assert (first.total_cents, first.tax_cents) == (10000, 1150)
    assert first.tax_cents + second.tax_cents == original.tax_cents
    assert first.total_cents + second.total_cents == original.total_cents


def test_receipt_credit_note_for_a_refund_made_in_stripes_dashboard(client, hst, pay):
    registration = pay(ProgramFactory())
    payment = registration.payments.get()
    event = {
        "id": "evt_dashboard_refund",
        "object": "event",
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_test_dashboard",
                "object": "charge",
                "payment_intent": payment.payment_intent_id,
                "amount_refunded": 20000,
            }
        },
    }
    assert deliver(client, event).status_code == 200
    assert deliver(client, event).status_code == 200
    credit = registration.receipts.get(kind=Receipt.Kind.CREDIT_NOTE)
    assert credit.total_cents == 20000 and credit.tax_cents == 2301


def test_receipt_never_for_refused_money(hst, program, stripe_standin):
    """A session the site did not open is refunded in full and is no sale: no documents."""
    registration = register(program)
    services.checkout_start(registration=registration)
    payment = registration.payments.get()
    registration.amount_due_cents = 1  # the session's total no longer matches what is due
    registration.save()
    stripe_standin.pay(payment.checkout_session_id)
    services.registration_fulfill(checkout_session_id=payment.checkout_session_id)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUSED and payment.refunds.exists()
    assert not Receipt.objects.exists()


def test_receipt_pdf_reads_back_everything_the_cra_asks_for(client, hst, pay):
    registration = pay(ProgramFactory(title="Mindful Self-Compassion"))
    receipt = registration.receipts.get()
    response = download(client, receipt)  # the browser that registered (its cookie)
    assert response.status_code == 302  # a new client has no cookie: sign in first
    text = pdf_text(download_as_owner(receipt))
    for expected in (
        "omwellness Centre Inc.",
        "100 Queen Street West",
        f"Business number (BN): {hst.business_number}",
        f"Number: {receipt.label}",
        f"Date: {timezone.localdate():%B %-d, %Y}",
        "Ada Example",
        "Mindful Self-Compassion: Standard",
        "Amount before tax",
        "$450",
        "HST (13%)",
        "$58.50",
        "Total paid",
        "$508.50",
        "Payment method: Card, through Stripe",
        "Terms: Paid in full by card",
    ):
        assert expected in text, expected


def test_receipt_pdf_without_tax_says_none_was_charged(client, pay):
    registration = pay(ProgramFactory())
    receipt = registration.receipts.get()
    assert receipt.tax_cents == 0 and receipt.business_number == ""
    text = pdf_text(download_as_owner(receipt))
    assert "Business number" not in text and "Sales tax" in text and "$450" in text


def test_receipt_download_is_only_for_who_may_see_the_registration(client):
    owner = UserFactory()
    registration = RegistrationFactory(email=owner.email, user=owner)
    receipt = receipt_for(registration)
    url = reverse("receipts:download", args=[registration.reference, receipt.number])
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    # Another registration's number under this reference is not found either.
    other = receipt_for(RegistrationFactory(email=owner.email, user=owner))
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert client.get(url)["Content-Type"] == "application/pdf"
    assert client.get(url)["Cache-Control"] == "private, no-store"
    wrong = reverse("receipts:download", args=[registration.reference, other.number])
    assert client.get(wrong).status_code == 404
    client.force_login(staff_with("registrations.view_registration"))
    assert client.get(url).status_code == 200


def test_receipt_links_in_my_registrations(client):
    owner = UserFactory()
    registration = RegistrationFactory(email=owner.email, user=owner)
    receipt = receipt_for(registration)
    client.force_login(owner)
    link = reverse("receipts:download", args=[registration.reference, receipt.number])
    assert link in client.get(reverse("registrations:list")).content.decode()
    detail = client.get(registration.get_absolute_url()).content.decode()
    assert link in detail and f"Receipt {receipt.label} (PDF)" in detail


@pytest.mark.parametrize("count", [1, 6])
def test_receipt_links_keep_my_registrations_at_a_constant_number_of_queries(
    client, django_assert_max_num_queries, count
):
    owner = UserFactory()
    for _ in range(count):
        receipt_for(RegistrationFactory(email=owner.email, user=owner))
    client.force_login(owner)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("registrations:list")).content.decode()
    assert page.count("(PDF)") == count


def test_receipt_admin_download_needs_the_view_permission(client):
    receipt = receipt_for(RegistrationFactory())
    url = reverse("admin:receipts_receipt_pdf", args=[receipt.pk])
    client.force_login(staff_with("registrations.view_registration"))
    assert client.get(url).status_code == 403
    client.force_login(staff_with("receipts.view_receipt"))
    response = client.get(url)
    assert response.status_code == 200
    assert f'filename="receipt-{receipt.label}.pdf"' in response["Content-Disposition"]
    listing = client.get(reverse("admin:receipts_receipt_changelist")).content.decode()
    assert url in listing and reverse("admin:receipts_receipt_export") in listing


def test_receipt_csv_export_for_a_period(client, hst, pay):
    registration = pay(ProgramFactory())
    services.registration_cancel(registration=registration, refund_cents=10000)
    old = receipt_for(RegistrationFactory())
    Receipt.objects.filter(pk=old.pk).update(transaction_date=timezone.now() - timedelta(days=400))
    client.force_login(staff_with("receipts.view_receipt"))
    export = reverse("admin:receipts_receipt_export")
    assert client.get(export).status_code == 200  # the form
    today = timezone.localdate()
    response = client.get(export, {"start": date(today.year, today.month, 1), "end": today})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("Number,Kind,Date,Original receipt")
    assert len(lines) == 3  # the receipt and its credit note, not last year's
    assert lines[1].startswith("000001,Receipt,") and ",450.00,58.50,HST,13%,508.50," in lines[1]
    assert lines[2].startswith("000002,Credit note,") and ",000001," in lines[2]
    assert ",-100.00," in lines[2]
    bad = client.get(export, {"start": today, "end": today - timedelta(days=1)})
    assert bad.status_code == 200 and "comes before its start" in bad.content.decode()
    client.force_login(staff_with("registrations.view_registration"))
    assert client.get(export, {"start": today, "end": today}).status_code == 403


def test_receipt_in_the_demo_shows_hst_to_a_newcomer():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    centre = Centre.current()
    assert centre.hst_registered and centre.business_number
    receipt = Receipt.objects.get()
    assert receipt.buyer_name == "Demo participant 1" and receipt.tax_cents > 0
    text = pdf_text(download_as_owner(receipt))
    assert f"Business number (BN): {centre.business_number}" in text and "HST (13%)" in text


def test_receipt_credit_note_is_linked_from_the_cancellation_email(hst, pay, mailoutbox):
    registration = pay(ProgramFactory())
    services.registration_cancel(registration=registration)
    credit = registration.receipts.get(kind=Receipt.Kind.CREDIT_NOTE)
    email = registration.emails.get(kind="cancellation")
    link = reverse("receipts:download", args=[registration.reference, credit.number])
    assert f"Credit note {credit.label} (PDF): " in email.body_text
    assert link in email.body_text and link in email.body_html
    assert "Receipt 0" not in email.body_text  # the payment's receipt came with the confirmation
