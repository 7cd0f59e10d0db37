"""What a program's page says of its minimum enrolment, before and after the decision date."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from programs import page_cache

from ..factories import ProgramFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def page(client, program):
    # The anonymous page is kept for a second; each look here is fresh.
    cache.clear()
    page_cache.drop_held()
    return client.get(reverse("programs:detail", args=[program.slug])).content.decode()


def program_with_minimum(**fields):
    values = {
        "minimum_participants": 6,
        "minimum_decision_date": timezone.localdate() + timedelta(days=7),
        **fields,
    }
    return ProgramFactory(**values)


def test_minimum_page_says_it_runs_once_n_registered_and_never_how_many_are_missing(client):
    program = program_with_minimum()
    RegistrationFactory.create_batch(2, program=program)

    shown = page(client, program)

    assert "This program runs once 6 people have registered." in shown
    assert "may be cancelled, and everyone registered is refunded in full" in shown
    assert "more place" not in shown
    assert "Confirmed: this program will run" not in shown


def test_minimum_page_says_how_many_more_when_staff_allow_it(client):
    program = program_with_minimum(show_places_missing=True)
    RegistrationFactory.create_batch(2, program=program)
    RegistrationFactory(program=program, status="pending")  # a hold is not a participant

    assert "4 more places needed." in page(client, program)

    RegistrationFactory.create_batch(4, program=program)
    shown = page(client, program)
    assert "Confirmed: this program will run" in shown
    assert "runs once" not in shown


def test_minimum_page_after_the_decision_date_confirms_only_a_reached_minimum(client):
    short = program_with_minimum()
    RegistrationFactory.create_batch(2, program=short)
    enough = program_with_minimum()
    RegistrationFactory.create_batch(6, program=enough)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert "runs once" not in page(client, short)
        assert "Confirmed: this program will run" not in page(client, short)
        shown = page(client, enough)
    assert "Confirmed: this program will run; its minimum of 6 participants is reached." in shown
    # Before the date, a hidden count stays hidden even once it is reached.
    assert "Confirmed" not in page(client, enough)


def test_minimum_program_list_reads_in_the_same_number_of_queries(
    client, django_assert_max_num_queries
):
    for _ in range(3):
        RegistrationFactory.create_batch(2, program=program_with_minimum())
    with django_assert_max_num_queries(4):
        client.get(reverse("programs:list"))
