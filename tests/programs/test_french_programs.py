"""The program pages and schedules in Canadian French."""

import dataclasses
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from omwellness.tax import TaxSettings, price_text
from programs.models import PriceOption
from programs.schedule import schedule_summary, session_when

from ..factories import ProgramFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
NBSP = "\u00a0"


def winter_program():
    """Wednesdays 7:00–9:30 pm, Jan 7 to Feb 25, 2026, and a Saturday retreat on Feb 14."""
    program = ProgramFactory(sessions__weeks=0)
    first = datetime(2026, 1, 7, 19, 0, tzinfo=TORONTO)
    for week in range(8):
        starts = first + timedelta(weeks=week)
        program.sessions.create(
            title=f"Week {week + 1}", starts_at=starts, ends_at=starts + timedelta(hours=2.5)
        )
    program.sessions.create(
        title="Retraite",
        starts_at=datetime(2026, 2, 14, 9, 30, tzinfo=TORONTO),
        ends_at=datetime(2026, 2, 14, 13, 0, tzinfo=TORONTO),
    )
    return program


def test_french_schedule_summary_reads_as_a_french_sentence():
    sessions = list(winter_program().sessions.order_by("starts_at"))

    with translation.override("fr"):
        summary = schedule_summary(sessions)

    assert summary == (
        f"les mercredis, 19{NBSP}h{NBSP}00 à 21{NBSP}h{NBSP}30 HE, du 7{NBSP}janv. au "
        f"25{NBSP}févr. 2026, plus la séance «{NBSP}Retraite{NBSP}» le sam. 14 févr. 2026, "
        f"9{NBSP}h{NBSP}30 à 13{NBSP}h{NBSP}00 HE"
    )
    # The English sentence is unchanged.
    assert schedule_summary(sessions) == (
        "Wednesdays, 7:00–9:30 pm ET, Jan 7 – Feb 25, 2026, "
        "plus Retraite on Sat, Feb 14, 2026, 9:30 am–1:00 pm ET"
    )


def test_french_schedule_names_a_moved_session_and_the_first_of_the_month():
    program = ProgramFactory(sessions__weeks=0)
    first = datetime(2026, 4, 1, 19, 0, tzinfo=TORONTO)  # a Wednesday, the 1st
    for week in range(4):
        starts = first + timedelta(weeks=week, days=1 if week == 1 else 0)
        program.sessions.create(
            title=f"Semaine {week + 1}", starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
    sessions = list(program.sessions.order_by("starts_at"))

    with translation.override("fr"):
        summary = schedule_summary(sessions)
        one = session_when(sessions[0])

    assert summary.startswith(
        f"les mercredis, 19{NBSP}h{NBSP}00 à 21{NBSP}h{NBSP}00 HE, du 1er{NBSP}avr."
    )
    assert f"sauf la séance «{NBSP}Semaine 2{NBSP}», déplacée au jeu. 9 avr. 2026" in summary
    assert one == f"mer. 1er avr. 2026, 19{NBSP}h{NBSP}00 à 21{NBSP}h{NBSP}00 HE"


def test_french_program_page_speaks_french(client):
    upcoming = ProgramFactory(title="Pleine conscience", capacity=12)
    PriceOption.objects.create(program=upcoming, label="Soutien", amount_cents=29500)

    with translation.override("fr"):
        page = client.get(reverse("programs:detail", args=[upcoming.slug])).content.decode()

    assert "Inscriptions ouvertes" in page
    assert "places restantes" in page
    assert ">S'inscrire</a>" in page or ">S&#x27;inscrire</a>" in page
    assert "Horaire" in page and "Heure (HE)" in page
    assert "Toutes les heures sont à l'heure de l'Est (Toronto)." in page.replace("&#x27;", "'")
    assert "Tarifs ($ CA)" in page
    assert f"295,00{NBSP}$" in page
    assert "les " in page and f"{NBSP}h{NBSP}" in page  # the schedule summary, in French
    for english in ("Registration open", "seats left", ">Schedule<", "Fees (CAD)", ">Where<"):
        assert english not in page, english


def test_french_program_list_and_cards(client):
    ProgramFactory(title="Pleine conscience")

    with translation.override("fr"):
        page = client.get(reverse("programs:list")).content.decode()

    assert "<h1>Programmes</h1>" in page and "À venir" in page
    assert "Début" in page
    assert any(shown in page for shown in ("En ligne", "En personne", "Hybride"))
    assert "Starts" not in page and "seats left" not in page


def test_french_prices_name_the_tax_in_french():
    added = TaxSettings(
        registered=True, rate_percent=Decimal("13"), name="HST", prices_include_tax=False
    )
    included = dataclasses.replace(added, prices_include_tax=True)

    with translation.override("fr"):
        assert price_text(45000, taxable=True, settings=added) == f"450,00{NBSP}$ + TVH"
        assert price_text(45000, taxable=True, settings=included) == (
            f"450,00{NBSP}$ (TVH incluse)"
        )
        assert added.display_rate == f"13{NBSP}%"
    assert price_text(45000, taxable=True, settings=added) == "$450 + HST"
    assert price_text(45000, taxable=True, settings=included) == "$450 (HST included)"
