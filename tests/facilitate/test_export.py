"""The roster as CSV: answers only when asked, and safe in a spreadsheet."""

import pytest

from facilitate.csv_export import spreadsheet_safe

from ..factories import RegistrationFactory
from .helpers import portal_url, read_csv

pytestmark = pytest.mark.django_db


def test_csv_export_leaves_answers_out_unless_asked(client, teacher, led_program, answered):
    client.force_login(teacher)
    url = portal_url("export", led_program)

    plain = read_csv(client.get(url))
    with_answers = read_csv(client.get(url, {"answers": "on"}))
    with_sensitive = read_csv(client.get(url, {"answers": "on", "sensitive": "on"}))

    assert plain[0][:3] == ["Reference", "Name", "Email"]
    assert plain[1][1:3] == ["Ada Lovelace", "ada@example.com"]
    assert "What brings you?" not in plain[0]
    assert "Kinder self-talk" not in plain[1]
    assert "What brings you?" in with_answers[0]
    assert "Kinder self-talk" in with_answers[1]
    assert "Anything about your health?" not in with_answers[0]
    assert "Recovering from surgery" not in with_answers[1]
    assert "Anything about your health?" in with_sensitive[0]
    assert "Recovering from surgery" in with_sensitive[1]


def test_csv_export_is_safe_against_formula_injection(client, teacher, led_program):
    RegistrationFactory(
        program=led_program, name='=HYPERLINK("http://evil")', phone="+1 416 555 0199"
    )
    RegistrationFactory(program=led_program, name="@SUM(A1)", email="tab@example.com")
    client.force_login(teacher)
    rows = read_csv(client.get(portal_url("export", led_program)))
    names = sorted(row[1] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]
    assert "+1 416 555 0199" in [row[3] for row in rows[1:]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+A1", "'+A1"),
        ("-SUM(A1:A9)", "'-SUM(A1:A9)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-", "'-"),
        ("@A1", "'@A1"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_spreadsheet_safe_quotes_every_formula_trigger(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize(
    "typed", ["+1 416 555 0199", "+1 (416) 555-0100", "-12.50", "+44 20 7946 0958", "-2"]
)
def test_experience_csv_numbers_and_phone_numbers_come_out_as_typed(typed):
    assert spreadsheet_safe(typed) == typed


def test_experience_csv_export_gives_phone_numbers_as_typed(client, teacher, led_program):
    RegistrationFactory(program=led_program, phone="+1 (416) 555-0100")
    RegistrationFactory(program=led_program, phone="-1+cmd|' /C calc'!A0", email="x@example.com")
    client.force_login(teacher)
    rows = read_csv(client.get(portal_url("export", led_program)))
    assert sorted(row[3] for row in rows[1:]) == ["'-1+cmd|' /C calc'!A0", "+1 (416) 555-0100"]
