import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.management.commands.load_demo import MSC_SLUG
from programs.models import PriceOption, Program
from programs.schedule import schedule_summary

from ..factories import FacilitatorFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def detail(client, program):
    return client.get(reverse("programs:detail", args=[program.slug])).content.decode()


def test_experience_one_price_does_not_speak_of_a_sliding_scale(client):
    assert "sliding scale" not in detail(client, ProgramFactory())
    scale = ProgramFactory()
    PriceOption.objects.create(program=scale, label="Supported", amount_cents=20000)
    assert "sliding scale" in detail(client, scale)
    form = reverse("registrations:register", args=[scale.slug])
    assert "sliding scale" in client.get(form).content.decode()
    single = ProgramFactory()
    form = reverse("registrations:register", args=[single.slug])
    assert "sliding scale" not in client.get(form).content.decode()


def test_experience_no_description_no_about_heading(client):
    assert "About the program" not in detail(client, ProgramFactory(description="  "))
    assert "About the program" in detail(client, ProgramFactory(description="Calm."))


def test_experience_moved_session_summary_does_not_suggest_the_old_date():
    program = ProgramFactory(sessions__weeks=4)
    sessions = list(program.sessions.order_by("starts_at"))
    moved = sessions[1]
    moved.starts_at += timedelta(days=1)
    moved.ends_at += timedelta(days=1)
    moved.save()

    summary = schedule_summary(list(program.sessions.order_by("starts_at")))

    assert ", except Week 2 on " in summary
    assert "plus" not in summary


def test_experience_extra_session_outside_the_weekly_pattern_is_still_a_plus():
    program = ProgramFactory(sessions__weeks=4)
    first = program.sessions.order_by("starts_at").first()
    program.sessions.create(
        title="Retreat",
        starts_at=first.starts_at + timedelta(days=10),
        ends_at=first.starts_at + timedelta(days=10, hours=6),
    )
    summary = schedule_summary(list(program.sessions.order_by("starts_at")))
    assert ", plus Retreat on " in summary and "except" not in summary


def test_experience_facilitators_in_their_chosen_order_with_photo(client):
    program = ProgramFactory()
    co = FacilitatorFactory(name="Co-teacher", position=2)
    lead = FacilitatorFactory(name="Lead teacher", position=1, photo="facilitators/lead.jpg")
    program.facilitators.add(co, lead)

    page = detail(client, program)

    names = re.findall(r"<h3>([^<]+)</h3>", page)
    assert names.index("Lead teacher") < names.index("Co-teacher")
    assert re.search(r'<img src="[^"]*facilitators/lead.jpg" alt="Lead teacher"', page)
    assert page.count("facilitators/") == 1  # no photo, no image


def test_experience_demo_lists_the_lead_teacher_first(client):
    call_command("load_demo", stdout=StringIO())
    page = detail(client, Program.objects.get(slug=MSC_SLUG))
    assert page.index("Lead teacher (demo profile)") < page.index("Co-teacher (demo profile)")
