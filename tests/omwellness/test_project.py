from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Program

from ..helpers import PRODUCTION_ENV, run_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]
)
def test_production_refuses_to_start_on_a_development_secret(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_settings(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_settings_start_with_their_secrets():
    assert run_settings(PRODUCTION_ENV).returncode == 0


def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_demo_data_is_idempotent_and_holds_winter_msc_and_its_next_term():
    call_command("load_demo", stdout=StringIO())
    counts = (Program.objects.count(), Program.objects.filter(sessions__isnull=False).count())
    call_command("load_demo", stdout=StringIO())
    assert (
        Program.objects.count(),
        Program.objects.filter(sessions__isnull=False).count(),
    ) == counts

    winter = Program.objects.get(slug="mindful-self-compassion-winter-2026")
    sessions = list(winter.sessions.order_by("starts_at"))
    assert len(sessions) == 9  # eight weeks and the retreat
    from django.utils import timezone

    first = timezone.localtime(sessions[0].starts_at)
    assert (first.date().isoformat(), first.strftime("%A"), first.hour) == (
        "2026-01-07", "Wednesday", 19,
    )  # fmt: skip
    assert sessions[5].title == "Half-day silent retreat"
    assert winter.price_options.count() == 3 and winter.questions.filter(sensitive=True).exists()
    next_term = Program.objects.exclude(pk=winter.pk).get(
        title__startswith="Mindful Self-Compassion"
    )
    assert next_term.status == Program.Status.PUBLISHED
    assert next_term.sessions.order_by("starts_at").first().starts_at > timezone.now()


def test_security_headers_on_public_pages(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_allauth_login_and_signup_pages_are_wired(client):
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("account_signup")).status_code == 200
