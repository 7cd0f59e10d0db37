"""My registrations: a participant's registrations, receipts, calendar and cancelling.

Every registration is found through `portal_selectors`, which returns only what the
person may see; anything else is a 404 (DESIGN rule 8). An emailed link carries the
registration's access token and opens the registration without an account.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from programs.calendar import program_calendar
from programs.schedule import schedule_summary
from programs.templatetags.programs_tags import cad
from registrations import payments, services
from registrations import portal_selectors as selectors
from registrations.models import Registration, WaitlistEntry


def _token(request: HttpRequest) -> str:
    return request.POST.get("token") or request.GET.get("token") or ""


def _registration(request: HttpRequest, reference: str) -> tuple[Registration | None, str]:
    """The registration this request may see and the token that opened it, if any.

    (None, "") means "not signed in and no valid link": the caller sends the person to
    sign in. Anyone signed in who may not see it gets a 404.
    """
    token = _token(request)
    registration = selectors.registration_for_token(reference=reference, token=token)
    if registration is not None:
        return registration, token
    if not request.user.is_authenticated:
        return None, ""
    registration = selectors.registration_for_user(user=request.user, reference=reference)
    if registration is None:
        raise Http404("No such registration.")
    return registration, ""


def _with_token(url: str, token: str) -> str:
    return f"{url}?{urlencode({'token': token})}" if token else url


def _detail_url(registration: Registration, token: str) -> str:
    return _with_token(registration.get_absolute_url(), token)


@require_safe
def registration_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mine = selectors.my_registrations(user=request.user)
    return render(request, "registrations/account/list.html", {"mine": mine})


@require_safe
def registration_detail(request: HttpRequest, reference: str) -> HttpResponse:
    registration, token = _registration(request, reference)
    if registration is None:
        return redirect_to_login(request.get_full_path())
    context = {
        "registration": registration,
        "program": registration.program,
        "sessions": registration.sessions,
        "schedule_summary": schedule_summary(registration.sessions),
        "full_refund_deadline": registration.program.full_refund_deadline(registration.starts_at),
        "token": token,
        "calendar_url": _with_token(reverse("registrations:calendar", args=[reference]), token),
        "receipt_url": _with_token(reverse("registrations:receipt", args=[reference]), token),
        "cancel_url": _with_token(reverse("registrations:cancel", args=[reference]), token),
    }
    return render(request, "registrations/account/detail.html", context)


@require_safe
def registration_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    registration, token = _registration(request, reference)
    if registration is None:
        return redirect_to_login(request.get_full_path())
    if not registration.has_receipt:
        raise Http404("No receipt for a registration that was never paid.")
    return render(
        request,
        "registrations/account/receipt.html",
        {
            "registration": registration,
            "program": registration.program,
            "detail_url": _detail_url(registration, token),
        },
    )


@require_safe
def registration_calendar(request: HttpRequest, reference: str) -> HttpResponse:
    """The program's sessions; with the private meeting link once the seat is confirmed."""
    registration, _ = _registration(request, reference)
    if registration is None:
        return redirect_to_login(request.get_full_path())
    meeting_link = registration.program.meeting_link if registration.shows_meeting_link else ""
    response = HttpResponse(
        program_calendar(
            program=registration.program,
            sessions=registration.sessions,
            meeting_link=meeting_link,
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{registration.program.slug}-{registration.reference}.ics"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """GET shows what the policy refunds now; POST cancels with exactly that refund."""
    registration, token = _registration(request, reference)
    if registration is None:
        return redirect_to_login(request.get_full_path())
    detail_url = _detail_url(registration, token)
    if not registration.can_cancel:
        messages.info(request, "This registration can no longer be cancelled here.")
        return redirect(detail_url)
    refund_cents = services.refund_quote(registration=registration)
    if request.method == "POST":
        actor = request.user if request.user.is_authenticated else None
        try:
            services.registration_cancel(
                registration=registration,
                actor=actor,
                refund_cents=refund_cents,
                reason="cancelled by the participant",
            )
        except services.CancellationRefused as error:
            messages.error(request, str(error))
            return redirect(detail_url)
        except (payments.PaymentsUnavailable, payments.PaymentsError):
            messages.error(
                request,
                "We could not reach our payment processor, so nothing was cancelled. "
                "Please try again in a few minutes.",
            )
            return redirect(detail_url)
        if refund_cents:
            messages.success(
                request,
                f"Your registration is cancelled. A refund of {cad(refund_cents)} is on its "
                "way to your card; banks usually show it within 5 to 10 days.",
            )
        else:
            messages.success(request, "Your registration is cancelled.")
        return redirect(detail_url)
    return render(
        request,
        "registrations/account/cancel.html",
        {
            "registration": registration,
            "program": registration.program,
            "refund_cents": refund_cents,
            "paid_cents": registration.net_paid_cents,
            "full_refund_deadline": registration.program.full_refund_deadline(
                registration.starts_at
            ),
            "token": token,
            "detail_url": detail_url,
        },
    )


def _waitlist_entry(request: HttpRequest, pk: int) -> tuple[WaitlistEntry | None, str]:
    token = _token(request)
    entry = selectors.waitlist_entry_for_token(pk=pk, token=token)
    if entry is not None:
        return entry, token
    if not request.user.is_authenticated:
        return None, ""
    entry = selectors.waitlist_entry_for_user(user=request.user, pk=pk)
    if entry is None:
        raise Http404("No such waitlist entry.")
    return entry, ""


@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    entry, token = _waitlist_entry(request, pk)
    if entry is None:
        return redirect_to_login(request.get_full_path())
    is_waiting = entry.status in WaitlistEntry.ACTIVE_STATUSES
    if request.method == "POST":
        if is_waiting:
            services.waitlist_leave(entry=entry)
            messages.success(request, f"You have left the waitlist for {entry.program.title}.")
        if request.user.is_authenticated:
            return redirect("registrations:list")
        return redirect(entry.program.get_absolute_url())
    return render(
        request,
        "registrations/account/waitlist_leave.html",
        {"entry": entry, "is_waiting": is_waiting, "token": token},
    )
