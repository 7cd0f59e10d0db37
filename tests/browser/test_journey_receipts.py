"""Journey: a person pays a fee with HST and downloads the receipt; staff export the
period's receipts for the accountant."""

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from omwellness.models import Centre
from registrations.models import Registration

from ..factories import UserFactory
from ..helpers import pdf_text
from .helpers import (
    PASSWORD,
    SUCCEEDING_CARD,
    days_from_today,
    evening_program,
    expect_registered,
    pay_by_card,
    register,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_journey_receipt_with_hst_downloaded_and_exported(site, visitor, look):
    centre = Centre.current()
    centre.hst_registered = True
    centre.business_number = "123456789 RT0001"
    centre.save()
    program = evening_program(first_day=days_from_today(14), title="Self-Compassion Evenings")
    page = visitor()

    page.goto(site.url + program.get_absolute_url())
    expect(page.get_by_text("Standard: $450 + HST")).to_be_visible()
    look(page, "program-with-hst")
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_text("$450 + HST")).to_be_visible()
    register(page, name="Demo participant 1", email="receipt-journey@example.com")
    expect(page.get_by_text("HST 13%")).to_be_visible()
    expect(page.get_by_text("CA$508.50").first).to_be_visible()
    pay_by_card(page, SUCCEEDING_CARD, name="Demo participant 1")
    reference = expect_registered(page)
    site.wait_for_webhooks()
    registration = Registration.objects.get(reference=reference)
    assert (registration.amount_due_cents, registration.tax_cents) == (50850, 5850)

    page.goto(site.url + registration.get_absolute_url())
    link = page.get_by_role("link", name="Receipt 000001 (PDF)")
    expect(link).to_be_visible()
    expect(page.get_by_text("(includes $58.50 tax)")).to_be_visible()
    look(page, "registration-with-receipt")
    pdf = page.request.get(site.url + link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    assert "Business number (BN): 123456789 RT0001" in text
    assert "Demo participant 1" in text and "HST (13%)" in text and "$508.50" in text

    UserFactory(email="accounts@example.com", is_staff=True, is_superuser=True)
    staff = visitor()
    staff.goto(site.url + "/admin/receipts/receipt/")
    staff.get_by_label("Email address").fill("accounts@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    expect(staff.get_by_role("link", name="receipt-000001.pdf")).to_be_visible()
    look(staff, "admin-receipts")
    staff.get_by_role("link", name="Export a period as CSV").click()
    expect(staff.get_by_label("From")).to_be_visible()
    look(staff, "admin-receipt-export")
    with staff.expect_download() as download:
        staff.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    today = timezone.localdate().isoformat()
    assert rows[1][:3] == ["000001", "Receipt", today]
    assert rows[1][8:13] == ["450.00", "58.50", "HST", "13%", "508.50"]
