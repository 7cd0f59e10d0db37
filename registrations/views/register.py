"""The registration flow: form → hold → Stripe Checkout → confirmation."""

import re

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from omwellness import languages
from omwellness.client_ip import client_hash
from omwellness.rate_limit import Refusal, rate_limit_attempt
from programs import selectors as program_selectors
from programs.models import Agreement, Program
from registrations import payments, selectors, services
from registrations.access import exchanges_link_token, may_act_on, remember
from registrations.forms import RegistrationForm, new_submission_key
from registrations.models import Payment, Registration, WaitlistEntry
from registrations.services import registration_fulfill

# Waitlist tokens are secrets.token_urlsafe(): letters, digits, - and _.
OFFER_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def shown_program(request: HttpRequest, slug: str) -> program_selectors.ProgramView:
    try:
        return program_selectors.program_detail(
            slug=slug,
            include_drafts=program_selectors.may_preview_drafts(user=request.user),
            for_form=True,
        )
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def _live_offer(request: HttpRequest, program: Program) -> WaitlistEntry | None:
    token = request.GET.get("offer") or request.POST.get("offer") or ""
    if not OFFER_TOKEN.fullmatch(token):  # not one we made: no need to ask the database
        return None
    offer = WaitlistEntry.objects.filter(token=token, program=program).first()
    return offer if offer is not None and offer.offer_is_live() else None


def _form_page(request, shown, form, offer, existing=None, limited=None) -> HttpResponse:
    """The form, with what it says about the program (seats, dates) as just read."""
    if shown.state not in (
        program_selectors.ProgramState.OPEN,
        # A full program still takes applications (approval then means the waitlist).
        program_selectors.ProgramState.FULL if offer or shown.program.requires_approval else None,
    ):
        return render(request, "registrations/register_refused.html", {"shown": shown})
    response = render(
        request,
        "registrations/register.html",
        {
            "program": shown.program,
            "shown": shown,
            "form": form,
            "offer": offer,
            "existing": existing,
            "limited": limited,
            "refund_deadline": shown.program.full_refund_deadline(shown.program.first_starts_at),
        },
        status=422 if form.is_bound else 200,
    )
    return with_retry_after(response, limited)


def with_retry_after(response: HttpResponse, limited: Refusal | None) -> HttpResponse:
    """A page that re-renders what was typed becomes the 429 answer of a rate limit."""
    if limited is not None:
        response.status_code = 429
        response["Retry-After"] = str(limited.retry_after)
    return response


def _form(program: Program, data=None, initial=None) -> RegistrationForm:
    now = timezone.now()
    if data is None:
        initial = {**(initial or {}), "submission_key": new_submission_key()}
    return RegistrationForm(
        data,
        initial=initial,
        program=program,
        price_options=[p for p in program.price_options.all() if p.is_available(now)],
        questions=program.questions.all(),
        agreement=Agreement.current(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method == "POST":
        return _register(request, slug)
    shown = shown_program(request, slug)
    program = shown.program
    offer = _live_offer(request, program)
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.name, "email": request.user.email}
    if offer is not None:
        initial = {"name": offer.name, "email": offer.email}
    initial.update(request.session.pop("register_again", {}).get(slug, {}))
    return _form_page(request, shown, _form(program, initial=initial), offer)


def _submission_key(request: HttpRequest, form: RegistrationForm) -> str:
    """The form's one-time value bound to the browser that sends it, or "".

    Bound with the browser's CSRF secret (the cookie the form was drawn with), so the
    value copied into another browser is another key there: its POST is a new
    submission, answered as any stranger's (see _already_registered), and learns nothing
    of the first person's registration.
    """
    key = form.cleaned_data.get("submission_key") or ""
    secret = request.META.get("CSRF_COOKIE") or ""
    if not (key and secret):
        return ""
    return salted_hmac(
        "registrations.submission_key", f"{key}:{secret}", algorithm="sha256"
    ).hexdigest()


def _register(request: HttpRequest, slug: str) -> HttpResponse:
    """The submitted form. Whether the program takes people now is decided by the
    service under the program's lock; seats are read here only to draw a refusal."""
    programs = Program.objects.prefetch_related("price_options", "questions")
    if not program_selectors.may_preview_drafts(user=request.user):
        programs = programs.exclude(status=Program.Status.DRAFT)
    program = get_object_or_404(programs, slug=slug)
    offer = _live_offer(request, program)
    form = _form(program, data=request.POST)
    existing = None
    if form.is_valid():
        client = client_hash(request)
        limited = rate_limit_attempt(
            scope="register", client=client, email=form.cleaned_data["email"]
        )
        if limited is not None:
            return _form_page(request, shown_program(request, slug), form, offer, limited=limited)
        data = services.RegistrationInput(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            price_option=form.cleaned_data["price_option"],
            answers=form.answers(),
            discount_code=form.cleaned_data["discount_code"],
            agreement=form.agreement,
            future_programs=form.cleaned_data["future_programs"],
            language=languages.of_request(request),
        )
        try:
            registration = services.registration_create(
                program=program,
                data=data,
                offer_token=offer.token if offer else "",
                user=request.user if request.user.is_authenticated else None,
                questions=form.questions,
                client_hash=client,
                submission_key=_submission_key(request, form),
            )
        except services.SubmittedBefore as earlier:
            # The answer to this very submission was lost on the way back: carry on as
            # the first answer did, to payment for its hold or to its confirmation.
            return remember(request, _carry_on(request, earlier.registration), earlier.registration)
        except services.DiscountCodeInvalid as refusal:
            form.add_error("discount_code", str(refusal))
        except services.AlreadyRegistered as refusal:
            if not may_act_on(request, refusal.registration):
                return _already_registered(request, program, refusal.registration, data.email)
            existing = refusal.registration
            form.add_error(None, _("You already have a registration for this program."))
        except services.RegistrationRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return remember(request, _to_payment(request, registration, new=True), registration)
    return _form_page(request, shown_program(request, slug), form, offer, existing)


def _already_registered(
    request: HttpRequest, program: Program, registration: Registration, email: str
) -> HttpResponse:
    """The answer to someone who may not be the address's owner.

    Anyone can type anyone's address, so this page must not reveal that the address is
    registered, nor anything about the registration (reference, state, name, price):
    it only says that an email with the next step went to the address, and the owner
    gets their own link in it. A new registration still goes straight on to Checkout,
    so a stranger can tell this page from that one. We accept that: hiding it would
    make every real person wait for an email before paying, and the per-client and
    per-address rate limits keep such probing to a few addresses an hour.
    """
    services.registration_link_send(registration=registration)
    return render(request, "registrations/register_sent.html", {"program": program, "email": email})


def _to_payment(
    request: HttpRequest, registration: Registration, new: bool = False
) -> HttpResponse:
    if registration.status in Registration.APPLICATION_STATUSES:
        # An application: nothing to pay yet; its page says what happens next.
        if new:
            messages.success(request, _("Thank you: your application is sent."))
        return redirect("registrations:detail", registration.reference)
    if registration.status == Registration.Status.CONFIRMED:
        return redirect("registrations:paid", registration.reference)
    try:
        url = services.checkout_start(registration=registration, new=new)
    except payments.PaymentsUnavailable:
        return render(
            request,
            "registrations/payment_unavailable.html",
            {"registration": registration},
            status=503,
        )
    except services.RegistrationRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("programs:detail", registration.program.slug)
    return _see_other(url)


def _see_other(url: str) -> HttpResponse:
    response = HttpResponse(status=303)
    response["Location"] = url
    return response


@require_POST
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    """Continue to payment: a held seat, or a new hold if the old one lapsed and a seat is free."""
    registration = get_object_or_404(Registration, reference=reference)
    if not may_act_on(request, registration):
        raise Http404("No such registration.")
    return remember(request, _carry_on(request, registration), registration)


def _carry_on(request: HttpRequest, registration: Registration) -> HttpResponse:
    if registration.status in Registration.APPLICATION_STATUSES:
        return _to_payment(request, registration)
    if registration.status not in (Registration.Status.PENDING, Registration.Status.EXPIRED):
        return redirect("registrations:paid", registration.reference)
    return _to_payment(request, registration)


@require_http_methods(["GET", "HEAD"])
@exchanges_link_token
def paid(request: HttpRequest, reference: str) -> HttpResponse:
    """Stripe's success page; fulfils as the webhook does (whichever comes first)."""
    registration = get_object_or_404(
        Registration.objects.select_related("program", "price_option"), reference=reference
    )
    session_id = request.GET.get("session_id", "")
    # Only a session the site opened proves the visitor came back from paying for this
    # registration; a refused one could be anyone's Payment Link naming the reference.
    owns_session = bool(session_id) and (
        registration.payments.exclude(status=Payment.Status.REFUSED)
        .filter(checkout_session_id=session_id)
        .exists()
    )
    if not (owns_session or may_act_on(request, registration)):
        raise Http404("No such registration.")
    unavailable = False
    if owns_session and registration.status != Registration.Status.CONFIRMED:
        try:
            registration = registration_fulfill(checkout_session_id=session_id) or registration
        except payments.PaymentsUnavailable:
            unavailable = True
    refused = bool(session_id) and selectors.payment_was_refused(
        registration=registration, checkout_session_id=session_id
    )
    response = render(
        request,
        "registrations/paid.html",
        {
            "registration": registration,
            "program": registration.program,
            "unavailable": unavailable,
            "refused": refused,
        },
    )
    return remember(request, response, registration)


@require_http_methods(["GET", "HEAD"])
@exchanges_link_token
def checkout_cancelled(request: HttpRequest, reference: str) -> HttpResponse:
    """Back from Stripe without paying: release the seat and return to a filled-in form."""
    registration = get_object_or_404(
        Registration.objects.select_related("program"), reference=reference
    )
    if not may_act_on(request, registration):
        raise Http404("No such registration.")
    services.checkout_cancelled(registration=registration)
    registration.refresh_from_db()
    if registration.status == Registration.Status.CONFIRMED:
        return redirect("registrations:paid", registration.reference)
    if registration.hold_is_live():  # an approval's seat stays held when Checkout is left
        messages.info(request, _("You left the payment page. Your seat stays held until you pay."))
        return redirect("registrations:detail", registration.reference)
    answers = selectors.answers_to_refill(registration=registration)
    request.session["register_again"] = {
        registration.program.slug: {
            "name": registration.name,
            "email": registration.email,
            "phone": registration.phone,
            "price_option": registration.price_option_id,
            **answers.values,
        }
    }
    # Checkout keeps a declined card on its own page; coming back here means no payment
    # went through, whether the card was declined or the person changed their mind.
    said = _(
        "Your payment did not go through (for example, the card was declined), so nothing "
        "was charged and we released your seat."
    )
    if answers.left_out:
        messages.warning(
            request,
            f"{said} "
            + _(
                "Your details are kept below; for your privacy, please answer the health "
                "questions again."
            ),
        )
    else:
        messages.warning(request, f"{said} " + _("Your answers are kept below."))
    return redirect("registrations:register", registration.program.slug)
