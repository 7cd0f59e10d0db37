"""The portal pages read in a number of queries that does not grow with the rows shown.

Run with `-s` to see the counts: pytest tests/test_portal_queries.py -q -s
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import Answer, Attendance, Payment, Registration

from .factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def give_registrations(user, count):
    for n in range(count):
        registration = RegistrationFactory(user=user, email=user.email)
        Payment.objects.create(
            registration=registration,
            checkout_session_id=f"cs_test_{user.pk}_{n}",
            amount_cents=45000,
            status=Payment.Status.PAID,
            paid_at=timezone.now(),
        )
        WaitlistEntryFactory(email=user.email)


def test_my_registrations_queries_do_not_grow_with_registrations(client):
    counts = {}
    for size in (1, 30):
        person = UserFactory()
        give_registrations(person, size)
        client.force_login(person)
        page = client.get(reverse("registrations:list")).content.decode()
        assert page.count('class="card registration-card"') == size
        counts[size] = queries_for(client, reverse("registrations:list"))
    print(f"\nMy registrations: {counts[1]} queries for 1, {counts[30]} for 30")
    assert counts[1] == counts[30]


def fill_roster(program, count):
    questions = [
        QuestionFactory(program=program, text="Why?"),
        QuestionFactory(program=program, text="Health?", sensitive=True),
    ]
    sessions = list(program.sessions.all()[:2])
    registrations = Registration.objects.bulk_create(
        RegistrationFactory.build(program=program, status=Registration.Status.CONFIRMED)
        for _ in range(count)
    )
    Answer.objects.bulk_create(
        Answer(registration=r, question=q, question_text=q.text, sensitive=q.sensitive, value="x")
        for r in registrations
        for q in questions
    )
    Payment.objects.bulk_create(
        Payment(
            registration=r,
            checkout_session_id=f"cs_test_{r.reference}",
            amount_cents=45000,
            status=Payment.Status.PAID,
        )
        for r in registrations
    )
    Attendance.objects.bulk_create(
        Attendance(registration=r, session=s, present=True) for r in registrations for s in sessions
    )
    for _ in range(3):
        WaitlistEntryFactory(program=program)


@pytest.mark.parametrize(
    "url_name",
    [
        "facilitate_roster",
        "facilitate_export",
        "facilitate_attendance",
        "facilitate_sign_in_sheet",
    ],
)
def test_roster_queries_do_not_grow_with_participants(client, url_name):
    teacher = UserFactory()
    profile = FacilitatorFactory(user=teacher)
    client.force_login(teacher)
    counts = {}
    for size in (20, 200):
        program = ProgramFactory(capacity=250)
        program.facilitators.add(profile)
        fill_roster(program, size)
        url = reverse(f"registrations:{url_name}", args=[program.slug])
        counts[size] = queries_for(client, url)
    print(f"\n{url_name}: {counts[20]} queries for 20 participants, {counts[200]} for 200")
    assert counts[20] == counts[200]
