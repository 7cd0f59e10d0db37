from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from programs.models import PriceOption, Program, Session
from programs.services import program_duplicate

from ..factories import FacilitatorFactory, ProgramFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def test_session_must_end_after_it_starts(program):
    start = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.create(program=program, title="Backwards", starts_at=start, ends_at=start)


def test_capacity_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(capacity=0)


def test_price_cannot_be_negative(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceOption.objects.create(program=program, label="Odd", amount_cents=-1)


def test_slugs_are_unique(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(slug=program.slug)


def test_registration_cannot_close_before_it_opens():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramFactory(registration_opens_at=now, registration_closes_at=now - timedelta(hours=1))


def test_moving_a_session_raises_its_calendar_sequence(program):
    session = program.sessions.first()
    session.title = "Renamed"
    session.save()
    session.refresh_from_db()
    assert session.sequence == 0
    session.starts_at += timedelta(hours=1)
    session.ends_at += timedelta(hours=1)
    session.save()
    session.refresh_from_db()
    assert session.sequence == 1


def test_duplicate_shifts_every_date_and_keeps_the_weekday():
    program = ProgramFactory(
        title="Mindful Self-Compassion: Winter 2026",
        slug="msc-winter-2026",
        sessions=False,
        registration_opens_at=timezone.now(),
    )
    start = timezone.make_aware(timezone.datetime(2026, 1, 7, 19, 0))
    for week in range(8):
        Session.objects.create(
            program=program,
            title=f"Week {week + 1}",
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week, hours=2, minutes=30),
        )
    program.facilitators.add(FacilitatorFactory())
    QuestionFactory(program=program, text="Why now?")

    copy = program_duplicate(program=program, weeks=52)

    assert copy.title == "Mindful Self-Compassion: Winter 2027"
    assert copy.slug == "msc-winter-2027"
    assert copy.status == Program.Status.DRAFT
    assert copy.registration_opens_at == program.registration_opens_at + timedelta(weeks=52)
    old = list(program.sessions.order_by("starts_at"))
    new = list(copy.sessions.order_by("starts_at"))
    assert [s.starts_at - o.starts_at for s, o in zip(new, old, strict=True)] == [
        timedelta(weeks=52)
    ] * 8
    first = timezone.localtime(new[0].starts_at)
    assert (first.year, first.month, first.day, first.hour, first.strftime("%A")) == (
        2027, 1, 6, 19, "Wednesday",
    )  # fmt: skip
    assert {s.uid for s in new}.isdisjoint({s.uid for s in old})
    assert list(copy.facilitators.all()) == list(program.facilitators.all())
    assert [q.text for q in copy.questions.all()] == ["Why now?"]
    assert copy.price_options.count() == program.price_options.count()
    # The original is untouched.
    assert program.sessions.count() == 8 and program.status == Program.Status.PUBLISHED


def test_duplicate_twice_gets_a_free_address():
    program = ProgramFactory(slug="retreat")
    first = program_duplicate(program=program, weeks=4)
    second = program_duplicate(program=program, weeks=4)
    assert first.slug != second.slug
    assert first.slug.startswith("retreat-") and second.slug.startswith("retreat-")
