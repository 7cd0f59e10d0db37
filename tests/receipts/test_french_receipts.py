"""A French registration's receipt: every word, amount and date in Canadian French,
drawn in fonts that carry the accents and guillemets.

reportlab draws a non-breaking space with the font's space glyph (same width), so the
text read back from the PDF has a plain space there; the receipt's own line wrapping
never breaks at one."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from omwellness.formatting import plain_date
from receipts.services import credit_note_for_refund
from registrations.models import Refund

from ..factories import ProgramFactory, RegistrationFactory
from ..helpers import pdf_text, receipt_for

pytestmark = pytest.mark.django_db

NBSP = " "  # U+00A0 in the catalogue, read back from the PDF as a space (see above)
FRENCH_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def _french_registration():
    program = ProgramFactory(title="Pleine conscience « à la rivière » : été")
    return RegistrationFactory(
        program=program,
        name="Françoise Côté-Lœwen",
        email="francoise@example.com",
        language="fr",
        price_label="Tarif réduit",
        amount_due_cents=33335,
        tax_cents=3835,
    )


def _pdf_as_owner(receipt) -> str:
    registration = receipt.registration
    response = Client().get(
        reverse("receipts:download", args=[registration.reference, receipt.number]),
        {"token": registration.access_token},
        follow=True,
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return pdf_text(response.content)


def test_french_receipt_pdf_reads_in_french_with_money_date_and_tvh(hst):
    registration = _french_registration()
    receipt = receipt_for(registration, amount_cents=33335)

    text = _pdf_as_owner(receipt)

    with translation.override("fr"):
        today = plain_date(timezone.now())
    assert today.split()[1] in FRENCH_MONTHS
    for expected in (
        "Reçu",
        f"Numéro{NBSP}: {receipt.label}",
        f"Date{NBSP}: {today}",
        f"Numéro d'entreprise (NE){NBSP}: {hst.business_number}",
        "Vendu à",
        "Françoise Côté-Lœwen",
        "Pleine conscience « à la rivière » : été",
        "Tarif réduit",
        "Montant avant taxes",
        f"295,00{NBSP}$",
        f"TVH (13{NBSP}%)",
        f"38,35{NBSP}$",
        "Total payé",
        f"333,35{NBSP}$",
        f"Mode de paiement{NBSP}: Carte, par l'intermédiaire de Stripe",
        f"Payé en entier par carte le {today}.",
        "Montants en dollars canadiens.",
    ):
        assert expected in text, expected
    for english in ("Receipt", "Number", "Sold to", "HST", "Total paid", "Amount", "Terms"):
        assert not re.search(rf"\b{english}\b", text), english


def test_french_credit_note_pdf_names_its_receipt_in_french(hst):
    registration = _french_registration()
    original = receipt_for(registration, amount_cents=33335)
    refund = Refund.objects.create(
        payment=original.payment, amount_cents=33335, reason="Annulation", status="succeeded"
    )
    credit = credit_note_for_refund(refund=refund)

    text = _pdf_as_owner(credit)

    assert "Note de crédit" in text and "Crédité à" in text
    assert f"Reçu d'origine{NBSP}: {original.label}" in text
    assert f"sur le reçu {original.label}" in text and "Total crédité" in text


def test_french_receipts_csv_for_the_accountant_has_bom(client, hst, staff_user):
    receipt_for(_french_registration(), amount_cents=33335)
    client.force_login(staff_user)
    today = timezone.localdate()

    response = client.get(reverse("admin:receipts_receipt_export"), {"start": today, "end": today})

    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.startswith("Number,Kind,Date")
    assert "Françoise Côté-Lœwen" in text
