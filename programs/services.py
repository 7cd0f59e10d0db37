"""Writes about programs."""

import re
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils.text import slugify

from .models import PriceOption, Program, Question, Session
from .translated import english


def _unique_slug(base: str) -> str:
    slug, n = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _shift_year(text: str, old_year: int, new_year: int) -> str:
    return re.sub(rf"\b{old_year}\b", str(new_year), text) if old_year != new_year else text


@transaction.atomic
def program_duplicate(*, program: Program, weeks: int) -> Program:
    """Copies a program for a new term, every date moved by `weeks` weeks.

    The copy starts as a draft, so staff can check it before it is public. Years
    in the titles and address follow the new start ("Winter 2026" → "Winter 2027").
    Every text is copied in both languages, whichever language is active.
    """
    shift = timedelta(weeks=weeks)
    sessions = list(program.sessions.order_by("starts_at"))
    price_options = list(program.price_options.all())
    questions = list(program.questions.all())
    facilitators = list(program.facilitators.all())

    old_year = sessions[0].starts_at.year if sessions else None
    new_year = (sessions[0].starts_at + shift).year if sessions else None
    title, title_fr, slug = english(program, "title"), program.title_fr, program.slug
    if old_year and new_year:
        title = _shift_year(title, old_year, new_year)
        title_fr = _shift_year(title_fr, old_year, new_year)
        slug = _shift_year(slug, old_year, new_year)
    if slug == program.slug:
        slug = f"{program.slug}-{(sessions[0].starts_at + shift):%Y-%m}" if sessions else slug

    copy = Program.objects.get(pk=program.pk)
    copy.pk = None
    copy.id = None
    copy.title = title
    copy.title_fr = title_fr
    copy.slug = _unique_slug(slugify(slug))
    copy.status = Program.Status.DRAFT
    if copy.registration_opens_at:
        copy.registration_opens_at += shift
    if copy.registration_closes_at:
        copy.registration_closes_at += shift
    copy.save()
    copy.facilitators.set(facilitators)

    for session in sessions:
        session.pk = None
        session.program = copy
        session.uid = uuid.uuid4()
        session.starts_at += shift
        session.ends_at += shift
        session.sequence = 0
    for option in price_options:
        option.pk = None
        option.program = copy
        if option.available_until:
            option.available_until += shift
    for question in questions:
        question.pk = None
        question.program = copy
    Session.objects.bulk_create(sessions)
    PriceOption.objects.bulk_create(price_options)
    Question.objects.bulk_create(questions)
    return copy
