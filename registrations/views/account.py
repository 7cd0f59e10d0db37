"""My registrations: a participant's registrations, receipts, calendar and cancelling.

Every registration is found through `registrations.access`, which returns only what
the person may see; anything else is a 404 (DESIGN rule 8). An emailed link carries the
registration's access token and opens the registration without an account: the token
is traded for a cookie on first use (`access.exchanges_link_token`).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from omwellness.access_log import record_access
from omwellness.money import format_money
from programs import page_cache
from programs.calendar import program_calendar
from programs.schedule import schedule_summary
from registrations import access, payments, permissions, selectors, services
from registrations.accounts import verified_emails
from registrations.forms import IntakeAnswersForm
from registrations.models import WaitlistEntry
from registrations.page_keep import kept_my_registrations


def _registration(request: HttpRequest, reference: str) -> selectors.RegistrationView | None:
    """The registration this request may see, with what its pages show.

    None means "not signed in, and not a browser that may act on it": the caller sends
    the person to sign in. Anyone signed in who may not see it gets a 404.
    """
    facts = access.registration_for(request, reference=reference)
    if facts is None and request.user.is_authenticated:
        raise Http404("No such registration.")
    return facts


@require_safe
def registration_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    emails = verified_emails(user=user)

    def draw() -> tuple[str, dict]:
        context = {"mine": selectors.my_registrations(user=user), **page_cache.MARKERS}
        return render_to_string("registrations/account/list.html", context, request=request), {}

    # Kept while nothing it shows changes (omwellness/kept_pages.py); drawn afresh with a
    # message to show, or for an account with no confirmed address yet.
    if emails and page_cache.may_share(request):
        body, _facts = kept_my_registrations(user=user, emails=emails, draw=draw)
    else:
        body, _facts = draw()
    return page_cache.finished(request, body)


@require_safe
@access.exchanges_link_token
def registration_detail(request: HttpRequest, reference: str) -> HttpResponse:
    facts = _registration(request, reference)
    if facts is None:
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    context = {
        "registration": registration,
        "facts": facts,
        "program": registration.program,
        "sessions": facts.sessions,
        "schedule_summary": schedule_summary(facts.sessions),
        "full_refund_deadline": registration.program.full_refund_deadline(facts.starts_at),
        "switch_deadline": registration.program.switch_deadline(facts.starts_at),
        "calendar_url": reverse("registrations:calendar", args=[reference]),
        "receipt_url": reverse("registrations:receipt", args=[reference]),
        "cancel_url": reverse("registrations:cancel", args=[reference]),
        "answers_url": reverse("registrations:answers", args=[reference]),
        "asks_questions": registration.program.questions.exists(),
        "application_steps": selectors.application_steps(registration=registration),
    }
    return render(request, "registrations/account/detail.html", context)


@require_safe
@access.exchanges_link_token
def registration_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    facts = _registration(request, reference)
    if facts is None:
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    if not facts.has_receipt:
        raise Http404("No receipt for a registration that was never paid.")
    return render(
        request,
        "registrations/account/receipt.html",
        {
            "registration": registration,
            "facts": facts,
            "program": registration.program,
            "detail_url": registration.get_absolute_url(),
        },
    )


@require_safe
@access.exchanges_link_token
def registration_calendar(request: HttpRequest, reference: str) -> HttpResponse:
    """The program's sessions; with the private meeting link once the seat is confirmed."""
    facts = _registration(request, reference)
    if facts is None:
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    meeting_link = registration.program.meeting_link if facts.shows_meeting_link else ""
    response = HttpResponse(
        program_calendar(
            program=registration.program,
            sessions=list(facts.sessions),
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
@access.exchanges_link_token
def registration_cancel(request: HttpRequest, reference: str) -> HttpResponse:
    """GET shows what the policy refunds now; POST cancels with exactly that refund."""
    facts = _registration(request, reference)
    if facts is None:
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    detail_url = registration.get_absolute_url()
    # Staff who opened someone else's registration (not its owner, not its link) cancel
    # by their permissions: none at all reads as missing, as the rest of the portal.
    for_someone_else = not access.is_own(request, registration)
    if for_someone_else and not permissions.may_cancel_for_someone_else(
        user=request.user, refund_cents=0
    ):
        raise Http404("No such registration.")
    if not facts.can_cancel:
        messages.info(request, "This registration can no longer be cancelled here.")
        return redirect(detail_url)
    refund_cents = services.refund_quote(registration=registration)
    if for_someone_else and not permissions.may_cancel_for_someone_else(
        user=request.user, refund_cents=refund_cents
    ):
        messages.error(
            request,
            f"Cancelling this registration now would refund {format_money(refund_cents)}, and your "
            "account is not set up to give refunds, so nothing was changed.",
        )
        return redirect(detail_url)
    if request.method == "POST":
        actor = request.user if request.user.is_authenticated else None
        try:
            services.registration_cancel(
                registration=registration,
                actor=actor,
                refund_cents=refund_cents,
                reason="cancelled by staff" if for_someone_else else "cancelled by the participant",
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
                f"Your registration is cancelled. A refund of {format_money(refund_cents)} is "
                "on its way to your card; banks usually show it within 5 to 10 days.",
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
            "paid_cents": facts.amount_paid.net_cents,
            "full_refund_deadline": registration.program.full_refund_deadline(facts.starts_at),
            "detail_url": detail_url,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@access.exchanges_link_token
def registration_answers(request: HttpRequest, reference: str) -> HttpResponse:
    """The intake questions of the registration's own program: the person answers them after
    a transfer (the email links here), or staff fill them in. Open to whoever may open the
    registration's other pages; answers given for another program never show here."""
    facts = _registration(request, reference)
    if facts is None:
        return redirect_to_login(request.get_full_path())
    registration = facts.registration
    detail_url = registration.get_absolute_url()
    intake = selectors.intake_answers(registration=registration)
    if request.method != "POST" and not access.is_own(request, registration):
        # Staff reading someone's health answers: one access record (their own look is not).
        shows_sensitive = any(
            q.sensitive and intake.given.get(f"q_{q.pk}") for q in intake.questions
        )
        record_access(
            user=request.user,
            program=registration.program,
            people=1 if shows_sensitive else 0,
            what=f"answers page of {registration.reference}",
        )
    form = None
    if registration.is_active and intake.questions:
        form = IntakeAnswersForm(
            request.POST if request.method == "POST" else None,
            initial=intake.given,
            questions=intake.questions,
        )
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.registration_answers_save(
                registration=registration,
                answers=form.answers(),
                actor=request.user if request.user.is_authenticated else None,
            )
        except services.AnswersRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Thank you: your answers are saved.")
            return redirect(detail_url)
    response = render(
        request,
        "registrations/account/answers.html",
        {
            "registration": registration,
            "program": registration.program,
            "form": form,
            "detail_url": detail_url,
        },
        status=422 if form is not None and form.is_bound else 200,
    )
    # Health answers: never kept by a shared cache or the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


def _waitlist_entry(request: HttpRequest, pk: int) -> WaitlistEntry | None:
    entry = access.waitlist_entry_for(request, pk=pk)
    if entry is None and request.user.is_authenticated:
        raise Http404("No such waitlist entry.")
    return entry


@require_http_methods(["GET", "HEAD", "POST"])
@access.exchanges_link_token
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _waitlist_entry(request, pk)
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
        {"entry": entry, "is_waiting": is_waiting},
    )
