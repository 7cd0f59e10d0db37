import dataclasses
import re
from datetime import timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from omwellness.models import Centre
from programs import selectors
from programs.models import Program

from ..factories import FacilitatorFactory, ProgramFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def detail(client, program):
    return client.get(reverse("programs:detail", args=[program.slug]))


def test_listing_puts_upcoming_programs_first_by_start_then_past_ones(client):
    later = ProgramFactory(title="Later", sessions__starts_in=timedelta(days=60))
    sooner = ProgramFactory(title="Sooner", sessions__starts_in=timedelta(days=5))
    running = ProgramFactory(title="Running", sessions__starts_in=timedelta(days=-8))
    past = ProgramFactory(title="Past", sessions__starts_in=timedelta(days=-200))
    draft = ProgramFactory(title="Hidden draft", status=Program.Status.DRAFT)

    page = client.get(reverse("programs:list")).content.decode()

    titles = re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == [running.title, sooner.title, later.title, past.title]
    assert page.index("Upcoming") < page.index(sooner.title) < page.index("Past programs")
    assert draft.title not in page


def test_listing_order_follows_the_clock_not_a_fixed_date(client):
    program = ProgramFactory(
        title="Spring", sessions__starts_in=timedelta(days=10), sessions__weeks=1
    )
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        page = client.get(reverse("programs:list")).content.decode()
    assert page.index("Past programs") < page.index(program.title)


def test_home_shows_upcoming_programs(client):
    upcoming = ProgramFactory(title="Coming soon")
    past = ProgramFactory(title="Long ago", sessions__starts_in=timedelta(days=-100))
    page = client.get("/").content.decode()
    assert upcoming.title in page
    assert past.title not in page


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({}, "Register"),
        ({"capacity": 1, "_fill": 1}, "Join the waitlist"),
        ({"registration_opens_at": timedelta(days=2)}, "Registration not yet open"),
        ({"registration_closes_at": timedelta(days=-1)}, "Registration closed"),
        ({"sessions__starts_in": timedelta(days=-3)}, "Registration closed"),
        ({"sessions__starts_in": timedelta(days=-100)}, "Past program"),
        ({"status": Program.Status.CANCELLED}, "This program has been cancelled"),
    ],
)
def test_program_page_shows_one_clear_state(client, setup, expected):
    setup = dict(setup)
    fill = setup.pop("_fill", 0)
    now = timezone.now()
    for key in ("registration_opens_at", "registration_closes_at"):
        if key in setup:
            setup[key] = now + setup[key]
    if "registration_closes_at" in setup:
        setup["registration_opens_at"] = now - timedelta(days=10)
    program = ProgramFactory(**setup)
    for _ in range(fill):
        RegistrationFactory(program=program)
    page = detail(client, program).content.decode()
    assert expected in page
    states = ["Register</a>", "Join the waitlist</a>", "Registration not yet open",
              "Registration closed", "Past program", "This program has been cancelled"]  # fmt: skip
    assert sum(state in page for state in states) == 1


def test_seats_left_counts_confirmed_and_live_holds_only(client):
    program = ProgramFactory(capacity=5)
    RegistrationFactory(program=program)
    RegistrationFactory(
        program=program, status="pending", hold_expires_at=timezone.now() + timedelta(minutes=10)
    )
    RegistrationFactory(
        program=program, status="pending", hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    RegistrationFactory(program=program, status="cancelled")
    assert "3 of 5 left" in detail(client, program).content.decode()


def test_program_page_shows_schedule_in_toronto_time_with_zone(client):
    program = ProgramFactory(sessions=False)
    start = timezone.make_aware(timezone.datetime(2027, 1, 6, 19, 0))
    for week in range(8):
        program.sessions.create(
            title=f"Week {week + 1}",
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week, hours=2, minutes=30),
        )
    page = detail(client, program).content.decode()
    assert "Wednesdays, 7:00–9:30 pm ET" in page
    assert "Wed, Jan 6, 2027" in page


def test_private_meeting_link_never_on_the_public_page(client):
    program = ProgramFactory(meeting_link="https://meet.example.com/very-private")
    assert "very-private" not in detail(client, program).content.decode()
    assert (
        "very-private"
        not in client.get(reverse("programs:calendar", args=[program.slug])).content.decode()
    )


def test_description_markdown_is_rendered_without_scripts(client):
    program = ProgramFactory(
        description="**Bold** and [a link](https://example.com)\n\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">'
        "[bad](javascript:alert(1))"
    )
    page = detail(client, program).content.decode()
    assert "<strong>Bold</strong>" in page
    assert 'href="https://example.com"' in page
    assert "<script>alert" not in page
    assert "onerror" not in page
    assert "javascript:" not in page


def test_draft_is_404_for_visitors_and_shown_to_staff(client, staff_user, user):
    program = ProgramFactory(status=Program.Status.DRAFT)
    assert detail(client, program).status_code == 404
    client.force_login(user)
    assert detail(client, program).status_code == 404
    assert client.get(reverse("programs:calendar", args=[program.slug])).status_code == 404
    client.force_login(staff_user)
    response = detail(client, program)
    assert response.status_code == 200
    assert "Draft: only staff can see this page" in response.content.decode()


def test_unknown_program_is_404(client):
    assert client.get("/programs/no-such-thing/").status_code == 404


def test_calendar_file_parses_back_with_stable_uids_and_toronto_zone(client, program):
    url = reverse("programs:calendar", args=[program.slug])
    first = client.get(url)
    assert first["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(first.content)
    events = list(calendar.walk("VEVENT"))
    sessions = list(program.sessions.order_by("starts_at"))
    assert len(events) == len(sessions) == 8
    assert [str(e["UID"]) for e in events] == [f"{s.uid}@omwellness.ca" for s in sessions]
    assert events[0].decoded("DTSTART") == sessions[0].starts_at
    assert str(events[0].decoded("DTSTART").tzinfo) == "America/Toronto"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "America/Toronto"
    again = icalendar.Calendar.from_ical(client.get(url).content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in events]


def test_program_page_carries_structured_data_and_open_graph(client, program):
    import json

    page = detail(client, program).content.decode()
    assert f"<title>{program.title} · omwellness</title>" in page
    assert f'<meta property="og:title" content="{program.title}">' in page
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "EducationEvent"
    assert len(data["subEvent"]) == 8
    assert data["offers"][0]["priceCurrency"] == "CAD"


def test_structured_data_cannot_break_out_of_its_script_block(client):
    program = ProgramFactory(title="</script><script>alert(1)</script>")
    page = detail(client, program).content.decode()
    assert "<script>alert(1)" not in page


def test_sitemap_lists_published_programs_only(client):
    published = ProgramFactory()
    draft = ProgramFactory(status=Program.Status.DRAFT)
    body = client.get("/sitemap.xml").content.decode()
    assert published.get_absolute_url() in body
    assert draft.get_absolute_url() not in body


def _programs_with_sessions(count):
    facilitators = FacilitatorFactory.create_batch(3)
    for _ in range(count):
        program = ProgramFactory(sessions__weeks=10)
        program.facilitators.set(facilitators)
        RegistrationFactory(program=program)
    return program


@pytest.mark.parametrize("count", [1, 50])
def test_pages_run_a_constant_number_of_queries(client, django_assert_max_num_queries, count):
    program = _programs_with_sessions(count)
    Centre.current()  # the centre's one row, as any site that has sent an email has it
    with django_assert_max_num_queries(2):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(reverse("programs:list")).status_code == 200
    # The program and its four prefetches, and the centre's one row: the tax on the fees
    # and who asks for consent on the news form.
    with django_assert_max_num_queries(6):
        assert detail(client, program).status_code == 200


def test_structure_program_pages_get_a_frozen_view_and_leave_the_program_undecorated(client):
    program = ProgramFactory(capacity=2)
    RegistrationFactory(program=program)

    shown = selectors.program_detail(slug=program.slug, include_drafts=False)
    assert isinstance(shown, selectors.ProgramView)
    assert (shown.state, shown.seats_left, shown.state_label) == ("open", 1, "Registration open")
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.state = "full"  # type: ignore[misc]
    assert not hasattr(shown.program, "state") and not hasattr(shown.program, "seats_left")
    (listed,) = selectors.program_listing().upcoming
    assert listed.program == program and listed.seats_left == 1

    RegistrationFactory(program=program)
    page = detail(client, program).content.decode()
    assert "Full: join the waitlist" in page and "SoldOut" in page
