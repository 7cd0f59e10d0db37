"""The facilitator portal: rosters, attendance, exports and messages, per program.

A facilitator sees only the programs they are assigned to; staff see every program
when their permissions allow what the page shows or does (`facilitate.permissions`);
anyone else gets a 404 for every address here (DESIGN rule 8).
"""

from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from omwellness.access_log import record_access
from programs import page_cache
from registrations import emails, services

from . import permissions, selectors
from .applications import DeclineForm, open_application, program_applications, waiting_count
from .csv_export import roster_csv
from .forms import AttendanceForm, MessageParticipantsForm, RosterExportForm, SignInSheetForm
from .overview import roster_overview
from .page_keep import kept_roster
from .roster import confirmed_count, program_roster
from .selectors import FacilitatedProgram
from .services import attendance_mark, attendance_open


def facilitator_required(view=None, *, staff_permissions=permissions.READ_ANY_ROSTER):
    """Sign-in first; then the program must be one the user leads, or any program for
    staff holding `staff_permissions` (what the page shows or changes needs)."""
    if view is None:
        return partial(facilitator_required, staff_permissions=staff_permissions)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, slug: str | None = None, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.is_facilitator(user=request.user):
            raise Http404("Not a facilitator.")
        if slug is None:
            return view(request, *args, **kwargs)
        facilitated = selectors.facilitated_program(
            user=request.user, slug=slug, staff_permissions=staff_permissions
        )
        if facilitated is None:
            raise Http404("No such program.")
        return view(request, facilitated, *args, **kwargs)

    return wrapper


def _private(response: HttpResponse) -> HttpResponse:
    # Rosters hold personal and health information: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@facilitator_required
def program_list(request: HttpRequest) -> HttpResponse:
    programs = selectors.facilitated_programs(user=request.user)
    return _private(
        render(
            request,
            "facilitate/program_list.html",
            {
                "upcoming": [p for p in programs if not p.is_past],
                "past": [p for p in programs if p.is_past],
                "sees_every_program": permissions.may_read_any_roster(user=request.user),
            },
        )
    )


@require_safe
@facilitator_required
def roster(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    program = facilitated.program

    def draw() -> tuple[str, dict]:
        shown = program_roster(facilitated=facilitated)
        context = {
            "program": program,
            "roster": shown,
            "overview": roster_overview(facilitated=facilitated),
            "export_form": RosterExportForm(),
            "applications_waiting": waiting_count(program=program),
            **page_cache.MARKERS,
        }
        body = render_to_string("facilitate/roster.html", context, request=request)
        return body, {"people": shown.people_with_sensitive_answers}

    # Kept while nothing it shows changes (omwellness/kept_pages.py); drawn afresh with a
    # message to show.
    if page_cache.may_share(request):
        body, facts = kept_roster(program_id=program.pk, draw=draw)
    else:
        body, facts = draw()
    record_access(
        user=request.user,
        program=program,
        people=facts["people"],
        what="roster page (intake answers)",
    )
    return _private(page_cache.finished(request, body))


@require_safe
@facilitator_required
def roster_export(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    form = RosterExportForm(request.GET)
    options = form.cleaned_data if form.is_valid() else {"answers": False, "sensitive": False}
    exported = program_roster(facilitated=facilitated)
    content = roster_csv(
        roster=exported,
        include_answers=options["answers"],
        include_sensitive=options["sensitive"],
    )
    if options["answers"] and options["sensitive"]:
        record_access(
            user=request.user,
            program=facilitated.program,
            people=exported.people_with_sensitive_answers,
            what="roster CSV export with health answers",
        )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    slug = facilitated.program.slug
    response["Content-Disposition"] = f'attachment; filename="{slug}-roster-{stamp}.csv"'
    return _private(response)


@require_safe
@facilitator_required
def sign_in_sheet(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    sessions = facilitated.sessions
    form = SignInSheetForm(request.GET or None, sessions=sessions)
    session = None
    if form.is_bound and form.is_valid() and form.cleaned_data["session"]:
        session = facilitated.session(form.cleaned_data["session"])
    elif sessions:
        # The next session to come, or the last one once the program is over.
        now = timezone.now()
        session = next((s for s in sessions if s.ends_at > now), sessions[-1])
        form = SignInSheetForm(initial={"session": session.pk}, sessions=sessions)
    roster = program_roster(facilitated=facilitated)
    return _private(
        render(
            request,
            "facilitate/sign_in_sheet.html",
            {"program": facilitated.program, "session": session, "form": form, "roster": roster},
        )
    )


@require_safe
@facilitator_required
def attendance_overview(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    summary = selectors.attendance_summary(facilitated=facilitated)
    return _private(
        render(
            request,
            "facilitate/attendance.html",
            {
                "program": facilitated.program,
                "summary": summary,
                "open_sessions": {s.pk for s in summary.sessions if attendance_open(s)},
            },
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
@facilitator_required(staff_permissions=permissions.MARK_ANY_ATTENDANCE)
def attendance_session(
    request: HttpRequest, facilitated: FacilitatedProgram, session_pk: int
) -> HttpResponse:
    program = facilitated.program
    attendance = selectors.session_attendance(facilitated=facilitated, session_pk=session_pk)
    if attendance is None:
        raise Http404("No such session.")
    is_open = attendance_open(attendance.session)
    if request.method == "POST" and not is_open:
        raise PermissionDenied("Attendance opens on the day of the session.")
    form = AttendanceForm(
        request.POST or None, registrations=attendance.registrations, marks=attendance.marks
    )
    if request.method == "POST" and form.is_valid():
        marked = 0
        for registration, present in form.marked():
            attendance_mark(
                registration=registration,
                session=attendance.session,
                present=present,
                actor=request.user,
            )
            marked += 1
        messages.success(
            request, f"Attendance saved for {attendance.session.title}: {marked} marked."
        )
        return redirect("facilitate:attendance", slug=program.slug)
    return _private(
        render(
            request,
            "facilitate/attendance_session.html",
            {
                "program": program,
                "session": attendance.session,
                "form": form,
                "is_open": is_open,
            },
        )
    )


@require_http_methods(["GET", "HEAD", "POST"])
@facilitator_required(staff_permissions=permissions.MESSAGE_ANY_PROGRAM)
def message_participants(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    program = facilitated.program
    form = MessageParticipantsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sent = emails.message_participants(
            program=program,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            sender=request.user,
        )
        messages.success(
            request, f"Your message is on its way to {sent} participant{'s' if sent != 1 else ''}."
        )
        return redirect(reverse("facilitate:roster", args=[program.slug]))
    return _private(
        render(
            request,
            "facilitate/message.html",
            {
                "program": program,
                "form": form,
                "recipients": confirmed_count(program=program),
            },
        )
    )


# --- applications (programs that require approval) ------------------------------------

REVIEW = permissions.REVIEW_ANY_APPLICATION


@require_safe
@facilitator_required(staff_permissions=REVIEW)
def applications(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    shown = program_applications(facilitated=facilitated)
    context = {
        "program": facilitated.program,
        "applications": shown,
        "seats_left": facilitated.seats_left,
    }
    record_access(
        user=request.user,
        program=facilitated.program,
        people=shown.people_with_sensitive_answers,
        what="applications page (intake answers)",
    )
    return _private(render(request, "facilitate/applications.html", context))


def _application(facilitated: FacilitatedProgram, reference: str):
    registration = open_application(facilitated=facilitated, reference=reference)
    if registration is None:
        raise Http404("No such application waiting.")
    return registration


def _decided(request: HttpRequest, program, decide) -> HttpResponse:
    """Runs one decision; a second click or another facilitator's earlier decision is
    said plainly rather than failing."""
    try:
        text = decide()
    except services.ApplicationDecided as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, text)
    return redirect("facilitate:applications", slug=program.slug)


@require_POST
@facilitator_required(staff_permissions=REVIEW)
def application_approve(
    request: HttpRequest, facilitated: FacilitatedProgram, reference: str
) -> HttpResponse:
    registration = _application(facilitated, reference)

    def decide() -> str:
        decision = services.application_approve(registration=registration, actor=request.user)
        if decision.waitlisted:
            return (
                f"{registration.name} is approved. The program is full, so they are on the "
                "waitlist and were told so."
            )
        return (
            f"{registration.name} is approved: their seat is held until "
            f"{emails.when(decision.hold_expires_at)}, and they were emailed the link to pay."
        )

    return _decided(request, facilitated.program, decide)


@require_POST
@facilitator_required(staff_permissions=REVIEW)
def application_call_first(
    request: HttpRequest, facilitated: FacilitatedProgram, reference: str
) -> HttpResponse:
    registration = _application(facilitated, reference)

    def decide() -> str:
        services.application_call_first(registration=registration, actor=request.user)
        return f"{registration.name} was told a facilitator will call."

    return _decided(request, facilitated.program, decide)


@require_http_methods(["GET", "HEAD", "POST"])
@facilitator_required(staff_permissions=REVIEW)
def application_decline(
    request: HttpRequest, facilitated: FacilitatedProgram, reference: str
) -> HttpResponse:
    """Declining asks for confirmation, with room for a kind message."""
    registration = _application(facilitated, reference)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def decide() -> str:
            services.application_decline(
                registration=registration,
                actor=request.user,
                message=form.cleaned_data["message"],
            )
            return f"The application of {registration.name} is declined; they were told."

        return _decided(request, facilitated.program, decide)
    context = {"program": facilitated.program, "registration": registration, "form": form}
    return _private(render(request, "facilitate/application_decline.html", context))
