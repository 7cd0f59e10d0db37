"""The switch to the next term in Canadian French: the page, its amounts and its answer."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from registrations import services
from registrations.models import Registration

from ..factories import ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def _paid_french(program, standin, user) -> Registration:
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Hélène Côté",
            email=user.email,
            phone="",
            price_option=program.price_options.first(),
            answers={},
        ),
        user=user,
    )
    Registration.objects.filter(pk=registration.pk).update(language="fr")
    services.checkout_start(registration=registration)
    assert standin.pay(registration.payments.get().checkout_session_id)
    services.registration_fulfill(
        checkout_session_id=registration.payments.get().checkout_session_id
    )
    registration.refresh_from_db()
    return registration


def test_french_switch_page_and_move(client, stripe_standin):
    now_term = ProgramFactory(title="MSC hiver", slug="msc-hiver")
    next_term = ProgramFactory(
        title="MSC printemps", slug="msc-printemps", sessions__starts_in=timedelta(days=120)
    )
    now_term.next_term = next_term
    now_term.save(update_fields=["next_term"])
    person = UserFactory()
    registration = _paid_french(now_term, stripe_standin, person)
    client.force_login(person)

    with translation.override("fr"):  # the French address: under /fr/ once the site has it
        url = reverse("switching:switch", args=[registration.reference])
        page = client.get(url).content.decode().split("<main", 1)[1]
    assert "Passer à MSC printemps" in page and "Ce qui change" in page
    assert "Votre tarif actuel" in page and f"450,00{NBSP}$" in page
    assert "Aucune : le même tarif".replace(" :", f"{NBSP}:") in page
    assert "What changes" not in page and "Your fee" not in page

    with translation.override("fr"):
        moved = client.post(url, {"target": next_term.pk}, follow=True).content.decode()
    assert "Votre inscription est maintenant transférée à MSC printemps." in moved
