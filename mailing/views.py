"""The public pages of the list: ask for news, confirm by the emailed link, unsubscribe.

The emailed links carry their token in the query string (left out of the access log)
and the pages never print it: their forms post back to the address they were opened
at. Mail scanners open links, so following one only shows a button; the POST acts.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from omwellness import languages
from omwellness.client_ip import client_hash
from omwellness.rate_limit import rate_limit_attempt
from programs.models import Program

from . import services
from .forms import SubscribeForm
from .models import Consent, Subscriber


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """A page opened with a token names itself (its address) to no other site, nor is it
    kept in a cache. Same-origin rather than none: with none, the browser sends
    `Origin: null` with the page's form, which the CSRF check rightly refuses."""
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def _source_program(slug: str) -> Program | None:
    if not slug:
        return None
    return Program.objects.filter(slug=slug, status=Program.Status.PUBLISHED).first()


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """The program pages' form posts here; /news/ shows it on a page of its own."""
    limited = None
    if request.method == "POST":
        form = SubscribeForm(request.POST)
        program = _source_program(request.POST.get("program", ""))
        if form.is_valid():
            email = form.cleaned_data["email"]
            client = client_hash(request)
            limited = rate_limit_attempt(scope="subscribe", client=client, email=email)
            if limited is None:
                services.consent_give(
                    given=services.ConsentGiven(
                        email=email,
                        name=form.cleaned_data["name"],
                        source=Consent.Source.PROGRAM_PAGE if program else Consent.Source.WEBSITE,
                        program=program,
                        language=languages.of_request(request),
                    )
                )
                # The same page whether the address was new, on the list or unsubscribed.
                return render(
                    request, "mailing/subscribe_sent.html", {"email": email, "program": program}
                )
    else:
        program = _source_program(request.GET.get("program", ""))
        form = SubscribeForm(initial={"program": program.slug if program else ""})
    response = render(
        request,
        "mailing/subscribe.html",
        {"form": form, "program": program, "limited": limited},
        status=422 if form.is_bound else 200,
    )
    if limited is not None:
        response.status_code = 429
        response["Retry-After"] = str(limited.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    consent = Consent.objects.select_related("program").filter(confirm_token=token).first()
    if consent is not None and request.method == "POST":
        consent = services.consent_confirm(token=token)
        if consent is not None:
            return _no_referrer(render(request, "mailing/confirmed.html", {"consent": consent}))
    if consent is None or consent.withdrawn_at is not None:
        return _no_referrer(render(request, "mailing/link_invalid.html", status=404))
    return _no_referrer(render(request, "mailing/confirm.html", {"consent": consent}))


# RFC 8058: a mail program unsubscribes with one POST of "List-Unsubscribe=One-Click" to
# the List-Unsubscribe address, with no cookie and no CSRF token; the unguessable token
# in that address is what proves the request comes from the email.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    if request.method == "POST":
        subscriber = services.unsubscribe(token=token)
        if subscriber is not None:
            return _no_referrer(render(request, "mailing/unsubscribed.html"))
    subscriber = Subscriber.objects.filter(token=token).first() if token else None
    if subscriber is None:
        return _no_referrer(render(request, "mailing/link_invalid.html", status=404))
    return _no_referrer(
        render(request, "mailing/unsubscribe.html", {"on_list": subscriber.is_reachable})
    )
