from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from omwellness.models import Centre
from omwellness.tax import TaxSettings

from . import page_cache, schedule, selectors
from .calendar import program_calendar
from .models import Program
from .structured_data import program_json_ld


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return shared_page(request, lambda: _home(request))


def _home(request: HttpRequest) -> HttpResponse:
    listing = selectors.program_listing()
    return render(
        request, "programs/home.html", {"upcoming": listing.upcoming[:6], **page_cache.MARKERS}
    )


@require_safe
def program_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.program_listing()
    return render(request, "programs/program_list.html", {"listing": listing})


def _program_or_404(request: HttpRequest, slug: str) -> selectors.ProgramView:
    try:
        return selectors.program_detail(
            slug=slug, include_drafts=selectors.may_preview_drafts(user=request.user)
        )
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


@require_safe
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return shared_page(request, lambda: _program_detail(request, slug))


def shared_page(request: HttpRequest, render_page: Callable[[], HttpResponse]) -> HttpResponse:
    """The page everyone shares (page_cache.py), with this reader's header and token.

    `render_page` draws it with the two markers (the context's `shared_page` and
    `csrf_token`); a page answered with anything but 200, or a draft shown to staff, is
    not kept."""
    shareable = page_cache.may_share(request)
    key = page_cache.body_key(request.path_info)
    kept = page_cache.recall(key) if shareable else None
    body = kept["body"] if kept is not None else None
    if body is None:
        response = render_page()
        if response.status_code != 200:
            return response
        body = response.content.decode()
        if shareable and not getattr(response, "private_page", False):
            page_cache.keep(key, {"body": body})
    response = page_cache.finished(request, body)
    response.shared_page = True  # type: ignore[attr-defined]
    return response


def _program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    shown = _program_or_404(request, slug)
    program = shown.program
    sessions = list(program.sessions.all())
    price_options = [p for p in program.price_options.all() if p.is_available()]
    centre = Centre.current()
    context = {
        "program": program,
        "shown": shown,
        "sessions": sessions,
        "price_options": price_options,
        "facilitators": list(program.facilitators.all()),
        "schedule_summary": schedule.schedule_summary(sessions),
        "full_refund_deadline": program.full_refund_deadline(program.first_starts_at),
        "json_ld": program_json_ld(
            program=program,
            sessions=sessions,
            price_options=price_options,
            seats_left=shown.seats_left,
        ),
        "canonical_url": settings.SITE_URL + program.get_absolute_url(),
        "now": timezone.now(),
        "centre": centre,
        "tax": TaxSettings.of(centre),
        **page_cache.MARKERS,
    }
    response = render(request, "programs/program_detail.html", context)
    # A draft is shown to staff only: never kept for others.
    response.private_page = program.status != Program.Status.PUBLISHED  # type: ignore[attr-defined]
    return response


@require_safe
def program_calendar_file(request: HttpRequest, slug: str) -> HttpResponse:
    program = _program_or_404(request, slug).program
    response = HttpResponse(
        program_calendar(program=program, sessions=program.sessions.all()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.ics"'
    return response
