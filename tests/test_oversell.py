"""DESIGN rule 1 under a rush: many people, the last few seats, real connections."""

import threading

import pytest
from django.db import connection
from django.test import Client

from registrations.models import Registration

from .factories import ProgramFactory, RegistrationFactory
from .test_register_views import form_data, url

ATTEMPTS = 60
SEATS_LEFT = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_oversell_is_impossible_under_concurrent_registrations(stripe_standin):
    program = ProgramFactory(capacity=20)
    RegistrationFactory.create_batch(20 - SEATS_LEFT, program=program)
    start = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        client = Client()
        try:
            start.wait()
            response = client.post(url(program), form_data(program, email=f"rush{n}@example.com"))
            results.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    held = [r for r in results if r[0] == 303]
    refused = [r for r in results if r[0] != 303]
    holds = Registration.objects.filter(program=program, status="pending").count()
    print(f"\noversell: {ATTEMPTS} attempts at {SEATS_LEFT} seats left -> {holds} holds")
    assert len(results) == ATTEMPTS
    assert len(held) == holds == SEATS_LEFT
    assert all("Every seat is taken" in body for _, body in refused)
    assert program.registrations.holding_seats().count() == program.capacity
    assert len(stripe_standin.checkout_sessions) == SEATS_LEFT
