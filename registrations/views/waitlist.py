"""Waitlists: joining a full program, confirming the address, an entry's own page, and
taking up an offered seat."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from omwellness import languages
from omwellness.client_ip import client_hash
from omwellness.rate_limit import rate_limit_attempt
from programs import selectors as program_selectors
from registrations import services
from registrations.forms import WaitlistForm
from registrations.models import WaitlistEntry

from .register import shown_program, with_retry_after


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_join(request: HttpRequest, slug: str) -> HttpResponse:
    shown = shown_program(request, slug)
    program = shown.program
    if program.requires_approval:
        # Screening comes first: a seat offered from the waitlist goes straight to payment,
        # so only approved applicants join it (services/approval.py).
        return redirect("registrations:register", program.slug)
    if shown.state != program_selectors.ProgramState.FULL:
        if shown.state == program_selectors.ProgramState.OPEN:
            messages.info(request, _("Good news: a seat is free, so you can register now."))
            return redirect("registrations:register", program.slug)
        return render(request, "registrations/register_refused.html", {"shown": shown})
    if request.method == "POST":
        form = WaitlistForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            limited = rate_limit_attempt(scope="waitlist", client=client_hash(request), email=email)
            if limited is None:
                services.waitlist_join(
                    program=program,
                    name=form.cleaned_data["name"],
                    email=email,
                    language=languages.of_request(request),
                )
                # The same page whether the address was new, waiting or unconfirmed: the
                # email says which (see services.waitlist_join).
                return render(
                    request,
                    "registrations/waitlist_sent.html",
                    {"program": program, "email": email},
                )
            response = render(
                request,
                "registrations/waitlist_join.html",
                {"program": program, "form": form, "limited": limited, **_offer_hours()},
            )
            return with_retry_after(response, limited)
    else:
        initial = (
            {"name": request.user.name, "email": request.user.email}
            if request.user.is_authenticated
            else {}
        )
        form = WaitlistForm(initial=initial)
    return render(
        request,
        "registrations/waitlist_join.html",
        {"program": program, "form": form, **_offer_hours()},
    )


def _offer_hours() -> dict:
    return {"offer_hours": settings.WAITLIST_OFFER_HOURS}


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_entry(request: HttpRequest, token: str) -> HttpResponse:
    """The personal page of a waitlist entry (its address is the secret)."""
    entry = get_object_or_404(WaitlistEntry.objects.select_related("program"), token=token)
    if request.method == "POST" and request.POST.get("action") == "leave":
        services.waitlist_leave(entry=entry)
        messages.success(request, _("You have left the waitlist."))
        return redirect("registrations:waitlist_entry", entry.token)
    if request.method == "POST" and request.POST.get("action") == "confirm":
        # Only the emailed link leads here: the address is the owner's, and this is them.
        entry = services.waitlist_confirm(entry=entry)
        if entry.status in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
            messages.success(request, _("Thank you: your place on the waitlist is confirmed."))
        return redirect("registrations:waitlist_entry", entry.token)
    position = WaitlistEntry.objects.with_place_in_line().get(pk=entry.pk).place_in_line
    return render(
        request,
        "registrations/waitlist_entry.html",
        {
            "entry": entry,
            "program": entry.program,
            "position": position,
            "offer_live": entry.offer_is_live(),
        },
    )


def waitlist_accept(request: HttpRequest, token: str) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry.objects.select_related("program"), token=token)
    if not entry.offer_is_live():
        return redirect("registrations:waitlist_entry", entry.token)
    return redirect(
        reverse("registrations:register", args=[entry.program.slug]) + f"?offer={entry.token}"
    )
