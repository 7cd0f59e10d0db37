"""My registrations reads in a number of queries that does not grow with the rows shown
(the facilitator pages' counts are in tests/facilitate/test_queries.py).

Run with `-s` to see the counts: pytest tests/registrations/test_portal_queries.py -q -s
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import Payment

from ..factories import (
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
