"""Money has one home: omwellness.money writes every amount, and the amount paid (gross,
refunded, net) is one rule (registrations.amount_paid) that the admin, the portal, the
roster and the refund quote all read. Test names carry `structure` for `pytest -k structure`."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from omwellness.money import format_money
from registrations import services
from registrations.models import Payment, Registration

from ..factories import ProgramFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def test_structure_money_is_written_one_way_from_cents():
    assert format_money(45000) == "$450"
    assert format_money(5050) == "$50.50"
    assert format_money(5) == "$0.05"
    assert format_money(0) == "$0"
    assert format_money(123456789) == "$1,234,567.89"
    assert format_money(100000000) == "$1,000,000"
    # A refund shown as money going back, and a refused payment taken in another currency.
    assert format_money(-15000) == "−$150"
    assert format_money(5050, "usd") == "50.50 USD"
    assert format_money(2500, "usd") == "25.00 USD"
    assert format_money(5050, "CAD") == "$50.50"


def test_structure_templates_write_money_through_the_same_function():
    rendered = Template("{% load programs_tags %}{{ a|cad }}|{{ b|cad }}|{{ c|cad }}").render(
        Context({"a": 123456, "b": 0, "c": None})
    )
    assert rendered == "$1,234.56|$0|"


def partly_refunded(user) -> Registration:
    """Paid $450 by card, $150 of it refunded since: $300 paid, net."""
    registration = RegistrationFactory(
        user=user, email=user.email, program=ProgramFactory(), price_label="Standard"
    )
    Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_test_{registration.reference}",
        payment_intent_id=f"pi_test_{registration.reference}",
        amount_cents=45000,
        amount_refunded_cents=15000,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
    # A refused payment never counts towards what was paid.
    Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_test_{registration.reference}_refused",
        amount_cents=99900,
        status=Payment.Status.REFUSED,
    )
    return registration


def test_structure_amount_paid_is_the_same_in_admin_portal_roster_and_refund_quote(
    client, user, staff_user
):
    registration = partly_refunded(user)

    annotated = Registration.objects.with_amount_paid().get(pk=registration.pk)
    assert (annotated.paid_gross_cents, annotated.paid_refunded_cents) == (45000, 15000)
    assert annotated.paid_net_cents == registration.amount_paid.net_cents == 30000
    assert services.paid_cents(registration=registration) == 30000
    assert services.refund_quote(registration=registration) == 30000

    client.force_login(staff_user)
    admin_list = client.get(reverse("admin:registrations_registration_changelist")).content
    assert '<td class="field-paid">$300</td>' in admin_list.decode()
    refunded_filter = client.get(
        reverse("admin:registrations_registration_changelist"), {"paid": "refunded"}
    ).content.decode()
    assert registration.reference in refunded_filter

    client.force_login(user)
    cancel = client.get(reverse("registrations:cancel", args=[registration.reference]))
    assert "<dt>Paid</dt><dd>$300</dd>" in cancel.content.decode()
    assert "You will get $300 back" in cancel.content.decode()
    receipt = client.get(reverse("registrations:receipt", args=[registration.reference]))
    assert "Paid, less refunds" in receipt.content.decode()
    assert "<strong>$300</strong>" in receipt.content.decode()
    detail = client.get(reverse("registrations:detail", args=[registration.reference]))
    assert "Paid $450" in detail.content.decode()
    assert "refunded $150" in detail.content.decode()
