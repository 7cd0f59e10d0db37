"""The catalogue (programs/) stands on its own: it imports nothing of the booking core,
which hands it what it needs (seats taken, the schedule-change notice, page-cache
invalidation). Test names carry `structure` for `pytest -k structure`."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from programs import seats
from programs.admin import ProgramAdmin
from programs.models import Program

from ..factories import ProgramFactory, RegistrationFactory, WaitlistEntryFactory

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, imports inside functions included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_structure_programs_imports_nothing_of_the_other_apps():
    # omwellness is the project itself (settings, User, shared helpers): allowed.
    other_apps = {
        path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "omwellness"
    } - {"programs"}
    assert "registrations" in other_apps
    offending = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "programs").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] in other_apps
    }
    assert offending == set()


@pytest.mark.django_db
def test_structure_program_page_shows_the_booking_cores_seat_count(client):
    program = ProgramFactory(capacity=8)
    now = timezone.now()
    RegistrationFactory(program=program)
    RegistrationFactory(program=program, status="pending", hold_expires_at=now + timedelta(hours=1))
    RegistrationFactory(program=program, status="pending", hold_expires_at=now - timedelta(hours=1))
    RegistrationFactory(program=program, status="refunded")
    WaitlistEntryFactory(
        program=program, status="offered", offered_at=now, offer_expires_at=now + timedelta(hours=1)
    )
    WaitlistEntryFactory(
        program=program, status="offered", offered_at=now, offer_expires_at=now - timedelta(hours=1)
    )
    WaitlistEntryFactory(program=program, status="waiting")

    # Taken: the confirmed place, the live hold and the live offer.
    page = client.get(reverse("programs:detail", args=[program.slug])).content.decode()
    assert "5 of 8 left" in page
    listing = client.get(reverse("programs:list")).content.decode()
    assert "5 seats left" in listing


def test_structure_seats_without_a_provider_name_the_app_that_provides_them(monkeypatch):
    monkeypatch.setattr(seats, "_provided", None)
    with pytest.raises(ImproperlyConfigured, match="registrations"):
        seats.seats_taken(now=timezone.now())


def test_structure_the_catalogue_admin_has_no_notice_until_registrations_adds_it():
    catalogue_only = ProgramAdmin(Program, admin.AdminSite())
    names = {getattr(pattern, "name", None) for pattern in catalogue_only.get_urls()}
    assert "programs_program_notify_schedule_change" not in names

    registered = admin.site._registry[Program]
    assert isinstance(registered, ProgramAdmin)
    names = {getattr(pattern, "name", None) for pattern in registered.get_urls()}
    assert "programs_program_notify_schedule_change" in names
