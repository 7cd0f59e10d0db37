from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from programs.models import Program

from ..factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_program_admin_edits_sessions_prices_and_questions_on_one_screen(
    client, staff_user, program
):
    client.force_login(staff_user)
    page = client.get(reverse("admin:programs_program_change", args=[program.pk])).content.decode()
    for prefix in ("sessions-TOTAL_FORMS", "price_options-TOTAL_FORMS", "questions-TOTAL_FORMS"):
        assert prefix in page


def test_program_admin_filters_by_status_and_start(client, staff_user):
    upcoming = ProgramFactory(title="Upcoming one")
    past = ProgramFactory(title="Past one", sessions__starts_in=timedelta(days=-100))
    draft = ProgramFactory(title="Draft one", status=Program.Status.DRAFT)
    client.force_login(staff_user)
    url = reverse("admin:programs_program_changelist")
    page = client.get(url, {"start": "past"}).content.decode()
    assert past.title in page and upcoming.title not in page
    page = client.get(url, {"status__exact": "draft"}).content.decode()
    assert draft.title in page and upcoming.title not in page


def test_duplicate_action_asks_for_weeks_then_copies(client, staff_user, program):
    client.force_login(staff_user)
    url = reverse("admin:programs_program_changelist")
    data = {"action": "duplicate_for_new_term", ACTION_CHECKBOX_NAME: [program.pk]}
    form = client.post(url, data)
    assert "Every session" in form.content.decode()
    assert Program.objects.count() == 1

    client.post(url, {**data, "apply": "1", "weeks": "52"})
    copy = Program.objects.exclude(pk=program.pk).get()
    assert copy.status == Program.Status.DRAFT
    shift = (
        copy.sessions.order_by("starts_at").first().starts_at
        - program.sessions.order_by("starts_at").first().starts_at
    )
    assert shift == timedelta(weeks=52)


def test_duplicate_action_refuses_nonsense_weeks(client, staff_user, program):
    client.force_login(staff_user)
    url = reverse("admin:programs_program_changelist")
    data = {"action": "duplicate_for_new_term", ACTION_CHECKBOX_NAME: [program.pk]}
    response = client.post(url, {**data, "apply": "1", "weeks": "-3"})
    assert "greater than or equal to 1" in response.content.decode()
    assert Program.objects.count() == 1
