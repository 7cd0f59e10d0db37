"""The staff dashboard (/admin/dashboard/): seats, holds, waitlist, money net of refunds
and confirmed registrations per day for every upcoming program, in constant queries."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programs.models import Program
from registrations.dashboard import dashboard
from registrations.models import Payment, Registration, WaitlistEntry

from ..factories import ProgramFactory, RegistrationFactory, WaitlistEntryFactory, staff_with

pytestmark = pytest.mark.django_db

URL = "/admin/dashboard/"


def paid(registration, *, cents=45000, refunded=0):
    Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_test_{registration.pk}",
        payment_intent_id=f"pi_test_{registration.pk}",
        amount_cents=cents,
        amount_refunded_cents=refunded,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )


def fill(program, *, confirmed=2, holds=1, waiting=1):
    now = timezone.now()
    for _ in range(confirmed):
        paid(RegistrationFactory(program=program, created_at=now - timedelta(days=1)))
    for _ in range(holds):
        RegistrationFactory(
            program=program,
            status=Registration.Status.PENDING,
            hold_expires_at=now + timedelta(minutes=20),
            confirmed_at=None,
        )
    for _ in range(waiting):
        WaitlistEntryFactory(program=program, status=WaitlistEntry.Status.WAITING)


@pytest.fixture
def viewer(client):
    client.force_login(staff_with("registrations.view_registration"))
    return client


def test_experience_dashboard_shows_each_upcoming_program_and_term_totals(viewer):
    program = ProgramFactory(title="Evening calm", capacity=12)
    fill(program, confirmed=3, holds=1, waiting=2)
    refunded = RegistrationFactory(program=program)
    paid(refunded, cents=45000, refunded=15000)
    ProgramFactory(title="Long past", sessions__starts_in=timedelta(days=-90), sessions__weeks=1)
    ProgramFactory(title="Still a draft", status=Program.Status.DRAFT)

    page = viewer.get(URL).content.decode()

    assert "Evening calm" in page
    assert "Long past" not in page and "Still a draft" not in page
    # 4 confirmed + 1 live hold of 12 seats; 2 waiting; 3 × 450 + 450 − 150 = 1,650.
    assert "5 / 12" in page
    assert "$1,650<" in page
    assert "Totals for the term" in page
    assert '<svg viewBox="0 0 320 100"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script: strict CSP
    assert "Confirmed registrations per day: Evening calm as a table" in page


def test_experience_dashboard_queries_do_not_grow_with_data(viewer):
    fill(ProgramFactory())
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(URL).status_code == 200
    for _ in range(4):
        fill(ProgramFactory(), confirmed=3, holds=2, waiting=2)
    with CaptureQueriesContext(connection) as large:
        assert viewer.get(URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_experience_dashboard_needs_the_right_to_view_registrations(client):
    client.force_login(staff_with("programs.view_program"))
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the admin's sign-in


def test_experience_dashboard_is_linked_from_the_admin_index(viewer):
    page = viewer.get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in page


def test_experience_dashboard_chart_counts_confirmed_registrations_per_day():
    now = timezone.now()
    program = ProgramFactory(registration_opens_at=now - timedelta(days=3))
    RegistrationFactory(program=program, created_at=now - timedelta(days=2))
    RegistrationFactory(program=program, created_at=now - timedelta(days=2))
    RegistrationFactory(program=program, created_at=now)
    RegistrationFactory(program=program, status=Registration.Status.CANCELLED)

    (figures,) = dashboard(now=now).programs

    assert [bar.value for bar in figures.per_day.bars] == [0, 2, 0, 1]


def test_experience_dashboard_demo_shows_a_chart_with_bars():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())  # a second run adds nothing

    demo = Registration.objects.filter(email__startswith="dashboard-demo-")
    assert demo.count() == 8
    (figures,) = [p for p in dashboard().programs if p.pk == demo.first().program_id]
    assert sum(bar.value for bar in figures.per_day.bars) == 8
