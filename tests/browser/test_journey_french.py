"""The participant's journey once in French, from a French browser's first visit to `/`
to a cancelled registration: the same steps as the English journeys (register, pay on
Stripe's page, the confirmation email and its calendar file, My registrations, cancel),
every page checked with axe and photographed at 390 and 1280 px ("fr-..." screenshots).
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from omwellness.formatting import day, short_date
from registrations.models import Registration

from .helpers import SUCCEEDING_CARD, calendar_of, days_from_today, evening_program, found_in

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Compassion envers soi en pleine conscience (hiver)"
# What an English reader reads on the same pages: none of it may show on a French page.
ENGLISH = (
    "Register",
    "My registrations",
    "Sign in",
    "Sign out",
    "Seats",
    "Schedule",
    "Fees",
    "Upcoming",
    "Cancel",
    "Week",
    "Paid",
    "refund",
    "Standard",
)


def french_program():
    program = evening_program(
        first_day=days_from_today(30),
        title="Mindful Self-Compassion: Winter",
        title_fr=TITLE,
        summary="Eight evenings to meet yourself with kindness.",
        summary_fr="Huit soirées pour vous accueillir avec bienveillance.",
        description="Practices, short talks and time to share.",
        description_fr="Des pratiques, de courts exposés et du temps pour échanger.",
    )
    for session in program.sessions.all():
        session.title_fr = session.title.replace("Week", "Semaine")
        session.save()
    program.price_options.update(label_fr="Tarif régulier")
    return program


def no_english_on(page: Page) -> None:
    """The header and the main content read in French (the language switch aside)."""
    header = page.locator("header").first.inner_text()
    switch = page.locator(".language-switch").all_inner_texts()
    for text in switch:
        header = header.replace(text, "")
    seen = header + "\n" + page.locator("main").inner_text()
    left = [phrase for phrase in ENGLISH if re.search(rf"\b{phrase}\b", seen)]
    assert not left, f"English on {page.url}: {left}\n{seen}"


def expect_french_page(page: Page, path: str) -> None:
    expect(page).to_have_url(re.compile(rf"/fr{re.escape(path)}"))
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    for hreflang in ("en-CA", "fr-CA", "x-default"):
        expect(page.locator(f'link[rel="alternate"][hreflang="{hreflang}"]')).to_have_count(1)
    no_english_on(page)


def test_french_journey_register_pay_confirm_cancel(site, visitor, look):
    program = french_program()
    first = program.sessions.order_by("starts_at").first()
    with translation.override("fr"):
        first_day, first_short = day(first.starts_at), short_date(first.starts_at)
    page = visitor(locale="fr-CA")

    # A French browser's first visit to / lands on /fr/.
    page.goto(site.url + "/")
    expect_french_page(page, "/")
    look(page, "fr-home")
    page.get_by_role("link", name=TITLE).first.click()

    # The program page, in French from its title to its fees.
    expect_french_page(page, f"/programs/{program.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    alternate = page.locator('link[rel="alternate"][hreflang="en-CA"]')
    expect(alternate).to_have_attribute("href", site.url + program.get_absolute_url())
    main = page.locator("main")
    expect(main).to_contain_text("450,00\u00a0$")
    expect(main).to_contain_text(first_short)
    expect(main).to_contain_text("Semaine 1")
    expect(main).to_contain_text("19 h 00")
    expect(page.get_by_text("Toutes les heures sont à l'heure de l'Est (Toronto).")).to_be_visible()
    look(page, "fr-program")
    page.get_by_role("link", name="S'inscrire").first.click()

    # The form: French labels and the agreement in French.
    expect_french_page(page, f"/programs/{program.slug}/register/")
    look(page, "fr-register")
    page.get_by_label("Votre nom").fill("Camille Tremblay")
    page.get_by_label("Courriel").fill("camille@example.com")
    page.get_by_label("J'ai lu et j'accepte l'entente de participation ci-dessus.").check()
    page.get_by_role("button", name="Continuer vers le paiement").click()

    # Stripe's page, opened in Canadian French.
    expect(page).to_have_url(re.compile(r"/pay/cs_test_"))
    (session,) = site.stripe.checkout_sessions.values()
    assert session["locale"] == "fr-CA"
    look(page, "fr-stripe-checkout")
    page.locator("#card-number").fill(SUCCEEDING_CARD)
    page.locator("#card-expiry").fill("12 / 34")
    page.locator("#card-cvc").fill("123")
    page.locator("#card-name").fill("Camille Tremblay")
    page.get_by_role("button", name="Pay").click()

    # The paid page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription confirmée")
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    assert "/fr/" in page.url
    found = re.search(r"OMW-[0-9A-Z]{5}", page.url)
    assert found is not None
    reference = found.group(0)
    no_english_on(page)
    look(page, "fr-confirmation")
    site.wait_for_webhooks()
    registration = Registration.objects.get(reference=reference)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.language == "fr"

    # The confirmation email, in French, with a French calendar file.
    letter = site.inbox.wait_for(
        to="camille@example.com", subject=f"Votre inscription est confirmée\u00a0: {TITLE}"
    )
    assert reference in letter.subject
    assert f"Semaine 1\u00a0: {first_day}, 19\u00a0h\u00a000 à 21\u00a0h\u00a030 HE" in letter.text
    assert "450,00\u00a0$" in letter.text
    assert "/fr/registrations/" in letter.text
    assert re.search(r"^Reçu \d+ \(PDF\)\u00a0: http", letter.text, re.MULTILINE)
    english = ("You're registered", "Your registration", "Sessions", "Paid", "If your plans")
    assert not [phrase for phrase in english if phrase.lower() in letter.text.lower()]
    (name, content), *_ = letter.attachments.items()
    assert name.endswith(".ics")
    events = calendar_of(content)
    assert len(events) == 8
    assert f"{TITLE}\u00a0: Semaine 1" in events
    assert b"LANGUAGE=fr-CA" in content

    # My registrations, signed in by a code sent by email, as in the English journey.
    page.get_by_role("link", name="Se connecter").click()
    expect_french_page(page, "/accounts/login/")
    look(page, "fr-sign-in")
    page.get_by_role("region", name="M'envoyer un code de connexion").get_by_label("Courriel").fill(
        "camille@example.com"
    )
    page.get_by_role("button", name="M'envoyer un code").click()
    look(page, "fr-enter-code")
    code_letter = site.inbox.wait_for(to="camille@example.com", subject="Votre code de connexion")
    page.get_by_label("Code").fill(found_in(code_letter.text, r"^\s*([A-Z0-9-]{6,})\s*$"))
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes inscriptions")
    expect_french_page(page, "/registrations/")
    look(page, "fr-my-registrations")
    upcoming = page.get_by_role("region", name="À venir")
    upcoming.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_text(reference)).to_be_visible()
    expect_french_page(page, "/registrations/")
    look(page, "fr-registration")

    # Cancelling, in the refund window.
    page.get_by_role("link", name="Annuler cette inscription").click()
    expect(
        page.get_by_role("heading", name="Vous recevrez un remboursement de 450,00\u00a0$")
    ).to_be_visible()
    expect_french_page(page, "/registrations/")
    look(page, "fr-cancel")
    page.get_by_role("button", name="Oui, annuler mon inscription").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre inscription est annulée. Un remboursement de 450,00\u00a0$ sera versé sur"
    )
    expect_french_page(page, "/registrations/")
    look(page, "fr-cancelled")
    site.wait_for_webhooks()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    cancelled = site.inbox.wait_for(
        to="camille@example.com", subject="Votre inscription est annulée"
    )
    assert "450,00\u00a0$" in cancelled.text
