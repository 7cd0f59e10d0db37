from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
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
    listing = selectors.program_listing()
    return render(request, "programs/home.html", {"upcoming": listing.upcoming[:6]})


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
    """Anonymous visitors share one rendering per second (see programs/page_cache.py)."""
    # No session cookie and no message cookie: an anonymous visitor with nothing pending,
    # known without touching the session store.
    cacheable = (
        settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES
    )
    # The page's forms (news of future programs) carry this visitor's own CSRF token: a
    # cached page keeps a marker in its place, filled in for each visitor.
    token = get_token(request)
    if cacheable:
        content = cache.get(page_cache.page_key(slug))
        if content is not None:
            return HttpResponse(content.replace(CSRF_MARKER, token.encode()))
    response = _program_detail(request, slug, csrf_token=token)
    if cacheable and response.status_code == 200:
        shared = response.content.replace(token.encode(), CSRF_MARKER)
        cache.set(page_cache.page_key(slug), shared, page_cache.TTL_SECONDS)
    return response


CSRF_MARKER = b"{{visitor-csrf-token}}"


def _program_detail(request: HttpRequest, slug: str, *, csrf_token: str) -> HttpResponse:
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
        "csrf_token": csrf_token,
    }
    return render(request, "programs/program_detail.html", context)


@require_safe
def program_calendar_file(request: HttpRequest, slug: str) -> HttpResponse:
    program = _program_or_404(request, slug).program
    response = HttpResponse(
        program_calendar(program=program, sessions=program.sessions.all()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.ics"'
    return response
