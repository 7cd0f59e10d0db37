"""The switch page of "My registrations": what moving to the next term changes, then the move.

Open to the registration's owner (its account or the browser its link was opened in);
staff allowed to view registrations see the page without the form (they move people with
the admin's transfer). Anyone else gets a 404.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from omwellness.money import format_money
from registrations import access, payments, services
from registrations.models import Registration, Switch

from . import selectors
from .forms import SwitchForm

logger = logging.getLogger(__name__)

UNREACHABLE = gettext_lazy(
    "We could not reach our payment processor, so nothing was changed. "
    "Please try again in a few minutes."
)


@require_http_methods(["GET", "HEAD", "POST"])
@access.exchanges_link_token
def switch(request: HttpRequest, reference: str) -> HttpResponse:
    facts = access.registration_for(request, reference=reference)
    if facts is None:
        if request.user.is_authenticated:
            raise Http404("No such registration.")
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    # Staff who may view the registration see what a switch would change; only its owner
    # switches (staff move people with the admin's transfer).
    for_staff = not access.is_own(request, registration)
    if for_staff and (request.method == "POST" or "session_id" in request.GET):
        raise Http404("No such registration.")
    detail_url = registration.get_absolute_url()
    if request.GET.get("session_id"):
        return _back_from_checkout(request, registration, request.GET["session_id"])
    held = services.switch_held(registration=registration)
    if request.method == "POST" and held is not None:
        # "Continue to payment", "keep", or the confirm button pressed again: the one
        # held switch goes on to its one Checkout page.
        return _held_action(request, registration, held)
    if request.method == "POST" and selectors.switch_done(
        registration=registration, target_id=_posted_target(request)
    ):
        messages.info(
            request,
            _("You have already moved to %(program)s.") % {"program": registration.program.title},
        )
        return redirect(detail_url)
    offer = selectors.switch_offer(registration=registration)
    form = None
    if not offer.refusal and held is None and not for_staff:
        form = SwitchForm(
            request.POST if request.method == "POST" else None,
            offer=offer,
            initial={"target": offer.target.pk if offer.target else None},
        )
    if form is not None and form.is_bound and form.is_valid():
        try:
            return _start(request, registration, form)
        except services.SwitchRefused as refusal:
            form.add_error(None, str(refusal))
        except (payments.PaymentsUnavailable, payments.PaymentsError):
            form.add_error(None, UNREACHABLE)
    response = render(
        request,
        "switching/switch.html",
        {
            "registration": registration,
            "facts": facts,
            "offer": offer,
            "held": None if for_staff else held,
            "for_staff": for_staff,
            "form": form,
            "detail_url": detail_url,
        },
        status=422 if form is not None and form.is_bound else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _posted_target(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("target", ""))
    except ValueError:
        return 0


def _return_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("switching:switch", args=[registration.reference])


def _start(request: HttpRequest, registration: Registration, form: SwitchForm) -> HttpResponse:
    switch = services.switch_start(
        registration=registration,
        target_id=form.cleaned_data["target"],
        price_option=form.price_option(),
        answers=form.answers(),
    )
    if switch.status == Switch.Status.COMPLETED:
        messages.info(
            request,
            _("You have already moved to %(program)s.") % {"program": switch.to_program.title},
        )
        return redirect(registration.get_absolute_url())
    if switch.difference_cents > 0:
        return redirect(
            services.switch_checkout(switch=switch, return_url=_return_url(registration))
        )
    services.switch_complete(switch=switch)
    refund = ""
    if switch.difference_cents < 0:
        refund = " " + _(
            "The difference, %(amount)s, is on its way back to your card; banks usually "
            "show it within 5 to 10 days."
        ) % {"amount": format_money(-switch.difference_cents)}
    messages.success(request, _moved(switch) + refund)
    return redirect(registration.get_absolute_url())


def _moved(switch: Switch) -> str:
    return _(
        "You have moved to %(program)s. Your confirmation, with the new calendar, is on its "
        "way by email."
    ) % {"program": switch.to_program.title}


def _held_action(request: HttpRequest, registration: Registration, held: Switch) -> HttpResponse:
    """Continue to pay the difference of a held switch, or keep the registration as it is."""
    if request.POST.get("action") == "keep":
        services.switch_abandon(switch=held, reason="the participant kept their registration")
        messages.success(
            request,
            _("Nothing changed: you stay in %(program)s.")
            % {"program": registration.program.title},
        )
        return redirect(registration.get_absolute_url())
    if not held.hold_is_live():
        services.switch_abandon(switch=held, reason="hold expired")
        messages.info(request, _("The seat held for you has been released: please look again."))
        return redirect("switching:switch", reference=registration.reference)
    try:
        return redirect(services.switch_checkout(switch=held, return_url=_return_url(registration)))
    except (payments.PaymentsUnavailable, payments.PaymentsError):
        messages.error(request, UNREACHABLE)
        return redirect("switching:switch", reference=registration.reference)


def _back_from_checkout(
    request: HttpRequest, registration: Registration, session_id: str
) -> HttpResponse:
    """Stripe's success and cancel pages both lead here: settle like the webhook does."""
    switch = selectors.switch_of_session(registration=registration, session_id=session_id)
    if switch is None:
        raise Http404("No such payment.")
    if switch.status == Switch.Status.HELD:
        try:
            services.registration_fulfill(checkout_session_id=session_id)
        except payments.PaymentsUnavailable:
            # The webhook settles it; the message below says we are waiting.
            logger.warning(
                "Switch payment %s of %s not settled: Stripe unreachable",
                session_id,
                registration.reference,
            )
        switch.refresh_from_db()
    if switch.status == Switch.Status.COMPLETED:
        messages.success(request, _moved(switch))
    elif switch.status == Switch.Status.HELD:
        messages.info(
            request,
            _(
                "We are waiting for word of your payment. You stay in your current term until "
                "it arrives; this page will show the move once it has."
            ),
        )
    else:
        messages.info(
            request,
            _(
                "The switch did not go through, so nothing changed; any payment for it is "
                "refunded in full."
            ),
        )
    return redirect(registration.get_absolute_url())
