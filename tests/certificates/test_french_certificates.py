"""A French registration's certificate: the PDF and the public page in Canadian French."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from certificates import services

from ..factories import FacilitatorFactory, UserFactory
from ..helpers import pdf_text
from .helpers import attended, completed_program

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def test_french_certificate_pdf_is_all_in_french(client):
    program = completed_program(title="Compassion envers soi en pleine conscience (MSC)")
    program.facilitators.add(FacilitatorFactory(name="Anaïs Lefèvre"))
    registration = attended(
        program, [0, 2, 3], name="Hélène Côté-Lœwen", email="helene@example.com", language="fr"
    )
    certificate, _ = services.certificate_issue(registration=registration, actor=None)
    client.force_login(UserFactory(email=registration.email))

    response = client.get(reverse("certificates:download", args=[registration.reference]))

    assert response.status_code == 200
    text = pdf_text(response.content)
    with translation.override("fr"):
        dates = certificate.dates
    assert dates.startswith("du ") and " au " in dates
    for expected in (
        "Attestation de participation",
        "Nous attestons que",
        "Hélène Côté-Lœwen",
        "a suivi le programme",
        "Compassion envers soi en pleine conscience (MSC)",
        dates,
        "3 séances sur 4 suivies en direct · 7,5 heures",
        "Animé par Anaïs Lefèvre",
        "Délivrée le ",
        f"Code de vérification {certificate.code}",
        "Pleine conscience et compassion envers soi en Ontario",
    ):
        assert expected in text, expected
    for english in ("Certificate", "certifies", "sessions", "hours", "Issued", "Facilitated"):
        assert not re.search(rf"\b{english}\b", text), english


def test_french_certificate_verification_page(client):
    program = completed_program(title="Hiver MSC")
    registration = attended(program, [0, 1, 2, 3], name="Élise Gagné", language="fr")
    certificate, _ = services.certificate_issue(registration=registration, actor=None)

    with translation.override("fr"):
        page = client.get(certificate.get_absolute_url()).content.decode()

    assert "Cette attestation de participation est valide" in page
    assert "Élise Gagné" in page and "Hiver MSC" in page
    assert "This is a valid certificate" not in page and "Verification code" not in page
