"""The roster's overview: attendance per session as a chart, and who is at risk of
missing the completion rule (facilitate/overview.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facilitate.overview import roster_overview
from facilitate.selectors import facilitated_program

from ..certificates.helpers import attended, completed_program
from ..factories import UserFactory
from .helpers import portal_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(db):
    return UserFactory(name="Lead teacher")


@pytest.fixture
def running(teacher):
    """Four weekly sessions, three over and the required closing retreat to come; the
    rule is 3 of 4 and the retreat."""
    return completed_program(teacher=teacher, starts_in=timedelta(days=-15), title="Running")


def test_experience_roster_at_risk_says_why(teacher, running):
    attended(running, [0, 1, 2], name="On track")
    attended(running, [0, 1], name="Needs the rest")
    attended(running, [0], name="Out of reach")

    overview = roster_overview(facilitated=facilitated_program(user=teacher, slug=running.slug))

    reasons = {person.name: person.reasons for person in overview.at_risk}
    assert set(reasons) == {"Needs the rest", "Out of reach"}
    assert reasons["Needs the rest"] == ("Needs every remaining session (2 attended of 3)",)
    assert reasons["Out of reach"] == ("Cannot reach 3 sessions any more (1 attended)",)
    assert [bar.value for bar in overview.attendance.bars] == [3, 2, 1]


def test_experience_roster_missed_required_session_is_at_risk(teacher):
    ended = completed_program(teacher=teacher)
    attended(ended, [0, 1, 2], name="Skipped the retreat")

    overview = roster_overview(facilitated=facilitated_program(user=teacher, slug=ended.slug))

    (person,) = overview.at_risk
    assert person.reasons == ("Missed the required session “Closing retreat”",)


def test_experience_roster_page_shows_chart_and_at_risk(client, teacher, running):
    attended(running, [0], name="Out of reach")
    client.force_login(teacher)

    page = client.get(portal_url("roster", running)).content.decode()

    assert "Present at each session as a table" in page
    assert "<svg" in page
    assert "At risk of missing the certificate" in page
    assert "Cannot reach 3 sessions any more (1 attended)" in page


def test_experience_roster_overview_queries_do_not_grow(client, teacher, running):
    client.force_login(teacher)
    attended(running, [0, 1])
    with CaptureQueriesContext(connection) as small:
        client.get(portal_url("roster", running))
    for n in range(15):
        attended(running, [0, n % 3])
    with CaptureQueriesContext(connection) as large:
        client.get(portal_url("roster", running))
    assert len(large.captured_queries) == len(small.captured_queries)
