"""DESIGN rule 1 under a rush: many people, the last few seats, real connections."""

import threading

import pytest
from django.db import connection
from django.test import Client

from registrations.models import Registration

from ..factories import ProgramFactory, RegistrationFactory
from ..helpers import form_data, url

ATTEMPTS = 50
SEATS_LEFT = 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_oversell_is_impossible_under_concurrent_registrations(stripe_standin):
    program = ProgramFactory(capacity=20)
    RegistrationFactory.create_batch(20 - SEATS_LEFT, program=program)
    start = threading.Barrier(ATTEMPTS)
    results: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        client = Client(REMOTE_ADDR=f"10.0.0.{n + 1}")  # fifty people, fifty connections
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
    unclear = [(status, body[:500]) for status, body in refused if "Every seat" not in body]
    assert not unclear, unclear[:2]
    assert program.registrations.holding_seats().count() == program.capacity
    assert len(stripe_standin.checkout_sessions) == SEATS_LEFT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_oversell_of_a_discount_code_is_impossible_across_programs(stripe_standin):
    """A global code with three uses, raced from two programs at once."""
    from registrations.models import DiscountCode

    code = DiscountCode.objects.create(code="THREE", kind="percent", percent_off=50, max_uses=3)
    programs = [ProgramFactory(capacity=50), ProgramFactory(capacity=50)]
    start = threading.Barrier(20)
    statuses: list[int] = []

    def attempt(n: int) -> None:
        program = programs[n % 2]
        try:
            start.wait()
            data = form_data(program, email=f"code{n}@example.com", discount_code="three")
            client = Client(REMOTE_ADDR=f"10.0.1.{n + 1}")  # twenty people
            statuses.append(client.post(url(program), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(303) == 3
    assert Registration.objects.filter(discount_code=code).count() == 3
