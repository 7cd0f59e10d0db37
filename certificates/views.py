"""Certificates: the facilitators' completion page, the participant's download and the
public verification page.

The facilitator page is guarded as every page of the portal (`facilitate.views.
facilitator_required`: the program's facilitators, or staff by permission; 404 for
anyone else). The download is guarded as every page of a registration
(`registrations.access`: its person, their emailed link, or staff by permission).
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from facilitate.completion import program_completion
from facilitate.selectors import FacilitatedProgram
from facilitate.views import facilitator_required
from omwellness.client_ip import client_hash
from omwellness.rate_limit import rate_limit_attempt
from registrations import access
from registrations.models import Registration
from registrations.views.register import with_retry_after

from . import permissions, services
from .models import Certificate, normalize_code
from .pdf import certificate_pdf, verification_url


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _issue(request: HttpRequest, facilitated: FacilitatedProgram) -> None:
    """Issues what the form asks (`issue`: "all", or one registration's reference) and
    says what happened."""
    program = facilitated.program
    choice = request.POST.get("issue", "")
    try:
        if choice == "all":
            result = services.certificates_issue_all(program=program, actor=request.user)
            # The facilitators' page stays in English (issue 15).
            if result.issued:
                plural = "s" if result.issued != 1 else ""
                issued = (
                    f"Issued {result.issued} certificate{plural}; "  # i18n-check: staff
                    "each person was emailed a link to theirs."
                )
                messages.success(request, issued)
            else:
                done = "Everyone who meets the rule already has a certificate."  # i18n-check: staff
                messages.info(request, done)
            return
        registration = Registration.objects.filter(
            program=program, reference=choice, status=Registration.Status.CONFIRMED
        ).first()
        if registration is None:
            raise Http404("No such participant.")
        certificate, created = services.certificate_issue(
            registration=registration, actor=request.user
        )
    except services.CertificateRefused as refusal:
        messages.error(request, str(refusal))
        return
    if created:
        issued = (
            f"Certificate issued to {certificate.name}; they were emailed."  # i18n-check: staff
        )
        messages.success(request, issued)
    else:
        had = f"{certificate.name} already has a certificate."  # i18n-check: staff
        messages.info(request, had)


@require_http_methods(["GET", "HEAD", "POST"])
@facilitator_required(staff_permissions=permissions.VIEW_ANY_COMPLETION)
def completion(request: HttpRequest, facilitated: FacilitatedProgram) -> HttpResponse:
    program = facilitated.program
    may_issue = permissions.may_issue(user=request.user, program=program)
    if request.method == "POST":
        if not may_issue:
            raise Http404("No such program.")
        _issue(request, facilitated)
        return redirect("certificates:completion", slug=program.slug)
    return _private(
        render(
            request,
            "facilitate/completion.html",
            {
                "program": program,
                "completion": program_completion(program=program),
                "may_issue": may_issue,
            },
        )
    )


@require_safe
@access.exchanges_link_token
def download(request: HttpRequest, reference: str) -> HttpResponse:
    """The PDF of a registration's certificate, for whoever may see the registration."""
    facts = access.registration_for(request, reference=reference)
    if facts is None:
        if request.user.is_authenticated:
            raise Http404("No such registration.")
        return redirect_to_login(request.get_full_path())
    certificate = Certificate.objects.filter(
        registration=facts.registration, revoked_at__isnull=True
    ).first()
    if certificate is None:
        raise Http404("No certificate for this registration.")
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    slug = facts.registration.program.slug
    response["Content-Disposition"] = f'attachment; filename="certificate-{slug}-{reference}.pdf"'
    return _private(response)


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether the code belongs to a certificate, and only its name, program and
    date; or that it was revoked, and nothing else; or a 404 page."""
    # Per client, and per code (the limit's "email" key): codes cannot be guessed, and
    # this keeps a script from even trying for long.
    limited = rate_limit_attempt(scope="certificate", client=client_hash(request), email=code)
    if limited is not None:
        response = render(request, "certificates/rate_limited.html", {"limited": limited})
        return _unindexed(with_retry_after(response, limited))
    normalized = normalize_code(code)
    certificate = Certificate.objects.filter(code=normalized).first() if normalized else None
    if certificate is None:
        return _unindexed(render(request, "certificates/unknown.html", {"code": code}, status=404))
    context = {"certificate": certificate, "url": verification_url(certificate)}
    return _unindexed(render(request, "certificates/verify.html", context))


def _unindexed(response: HttpResponse) -> HttpResponse:
    # Names of real people: never in a search engine; revocation shows at once.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-cache"
    return response
