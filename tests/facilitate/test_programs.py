"""A facilitator's list of programs: only the ones they lead."""

import pytest
from django.urls import reverse

from ..factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_a_facilitator_sees_only_the_programs_they_lead(client, teacher, led_program):
    ProgramFactory(title="Someone else's retreat")
    client.force_login(teacher)
    page = client.get(reverse("facilitate:program_list")).content.decode()
    assert "Winter MSC" in page
    assert "Someone else's retreat" not in page


def test_a_participant_without_a_facilitator_profile_gets_404(client, user):
    client.force_login(user)
    assert client.get(reverse("facilitate:program_list")).status_code == 404
