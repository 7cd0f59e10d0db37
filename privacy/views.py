"""The privacy page, and a signed-in person's data: download it, or ask for deletion."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from omwellness.formatting import plain_date
from omwellness.models import Centre

from . import readable
from .export import Person, collect
from .models import ANSWER_WITHIN, DeletionRequest
from .services import deletion_request


def _private(response: HttpResponse) -> HttpResponse:
    # Personal and health information: never kept by a shared cache or the browser's.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/notice.html",
        {"centre": Centre.current(), "answer_within_days": ANSWER_WITHIN.days},
    )


@require_safe
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    data = collect(Person.of(request.user))
    return _private(
        render(
            request,
            "privacy/my_data.html",
            {"sections": readable.sections(data), "exported": timezone.now()},
        )
    )


@require_safe
@login_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    data = collect(Person.of(request.user))
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="omwellness-my-data-{stamp}.json"'
    return _private(response)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def deletion(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        asked = deletion_request(user=request.user)
        messages.success(
            request,
            _(
                "We have your request to delete your data. We will complete it by "
                "%(due)s and email you when it is done."
            )
            % {"due": plain_date(asked.due_at)},
        )
        return redirect("privacy:deletion")
    open_request = DeletionRequest.objects.filter(
        user=request.user, completed_at__isnull=True
    ).first()
    return _private(
        render(
            request,
            "privacy/deletion.html",
            {
                "open_request": open_request,
                "centre": Centre.current(),
                "answer_within_days": ANSWER_WITHIN.days,
            },
        )
    )
