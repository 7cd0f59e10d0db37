"""A French registration in the English facilitator area: accents come through, and the
CSV starts with a UTF-8 byte order mark so Excel reads them right."""

import pytest

from registrations.models import Answer

from ..factories import QuestionFactory, RegistrationFactory
from .helpers import portal_url, read_csv

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


def _french_participant(program):
    question = QuestionFactory(program=program, text="Qu'est-ce qui vous amène?", position=1)
    registration = RegistrationFactory(
        program=program, name="Hélène Côté-Lœwen", email="helene@example.com", language="fr"
    )
    Answer.objects.create(
        registration=registration,
        question=question,
        question_text=question.text,
        value="Être plus douce envers moi-même, à l'écoute « sans jugement »",
    )
    return registration


def test_french_csv_has_bom_and_accents(client, teacher, led_program):
    _french_participant(led_program)
    client.force_login(teacher)

    response = client.get(portal_url("export", led_program), {"answers": "on"})

    assert response.content.startswith(BOM)
    assert response.content.count(BOM) == 1
    rows = read_csv(response)
    assert rows[0][0] == "Reference"  # the mark is not part of the first heading
    assert "Qu'est-ce qui vous amène?" in rows[0]
    row = next(row for row in rows[1:] if row[2] == "helene@example.com")
    assert row[1] == "Hélène Côté-Lœwen"
    assert "Être plus douce envers moi-même, à l'écoute « sans jugement »" in row


def test_french_registration_shows_its_accents_on_the_roster(client, teacher, led_program):
    _french_participant(led_program)
    client.force_login(teacher)

    page = client.get(portal_url("roster", led_program)).content.decode()

    assert "Hélène Côté-Lœwen" in page
