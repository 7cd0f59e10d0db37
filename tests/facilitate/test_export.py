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
    assert "'+1 416 555 0199" in [row[3] for row in rows[1:]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
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
