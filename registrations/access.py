"""Who may act on a registration or a waitlist entry: the one home of that rule.

Three kinds of people may (DESIGN rule 8):

- this browser, when it made the registration or opened an emailed link to it: a
  signed, HttpOnly cookie lists what it may act on (`MINE_COOKIE`);
- the account it belongs to (its user, or the owner of its verified email), and staff:
  `selectors` decides, in the query that reads the rows;
- nobody else: the views answer as if it did not exist.

An emailed link carries a token (`?token=`). The token is a key to trade, not a pass to
show on every request: on the first GET that carries a valid one, `exchanges_link_token`
adds the registration to the cookie and redirects to the same address without it, so
the token does not stay in the browser's history, in Referer headers or in access logs.
Forms never carry it: the cookie does the work.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import add_never_cache_headers

from . import permissions, selectors
from .models import Registration, WaitlistEntry

# A signed cookie rather than the session, so registering writes no session row and
# cached pages stay cacheable. It holds registration references ("OMW-7K3Q9") and
# waitlist entries ("waitlist-12"); signed, so a browser cannot add to it itself.
MINE_COOKIE = "omw_registrations"
MINE_MAX_AGE = 60 * 60 * 24 * 30
# A browser rarely holds more; the oldest are forgotten first, and the cookie stays small.
MINE_LIMIT = 20


def _waitlist_item(pk: int) -> str:
    return f"waitlist-{pk}"


def _remembered(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(MINE_COOKIE, default="", max_age=MINE_MAX_AGE)
    return value.split(",") if value else []


def _remember_item(request: HttpRequest, response: HttpResponse, item: str) -> HttpResponse:
    known = _remembered(request)
    if item not in known:
        response.set_signed_cookie(
            MINE_COOKIE,
            ",".join([*known, item][-MINE_LIMIT:]),
            max_age=MINE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def remember(
    request: HttpRequest, response: HttpResponse, registration: Registration
) -> HttpResponse:
    """Lets this browser act on `registration` from now on (it made it, or proved a link)."""
    return _remember_item(request, response, registration.reference)


def is_own(request: HttpRequest, registration: Registration) -> bool:
    """Whether the request comes from the registration's own person (this browser made it
    or opened its link, or the account it belongs to), not from staff acting by permission."""
    if registration.reference in _remembered(request):
        return True
    user = request.user
    return user.is_authenticated and selectors.registration_is_owned_by(
        user=user, registration=registration
    )


def may_act_on(request: HttpRequest, registration: Registration) -> bool:
    """Its own person, or staff allowed to change registrations: the payment flow's
    addresses move a seat."""
    return request.user.has_perm(permissions.ACT_ON_ANY_REGISTRATION) or is_own(
        request, registration
    )


def registration_for(request: HttpRequest, *, reference: str) -> selectors.RegistrationView | None:
    """The registration at `reference` with what its pages show, if this request may act
    on it (the rule of `may_act_on`, read in one query for each kind of person)."""
    if reference in _remembered(request):
        return selectors.registration_with_details(reference=reference)
    if request.user.is_authenticated:
        return selectors.registration_for_user(user=request.user, reference=reference)
    return None


def waitlist_entry_for(request: HttpRequest, *, pk: int) -> WaitlistEntry | None:
    """The waitlist entry `pk`, if this browser opened its link or it is the account's."""
    if _waitlist_item(pk) in _remembered(request):
        return selectors.waitlist_entry(pk=pk)
    if request.user.is_authenticated:
        return selectors.waitlist_entry_for_user(user=request.user, pk=pk)
    return None


def _redeemed_item(kwargs: dict, token: str) -> str | None:
    """What a valid link token grants, from the view's own URL arguments; else None."""
    if "reference" in kwargs:
        if selectors.registration_token_matches(reference=kwargs["reference"], token=token):
            return kwargs["reference"]
        return None
    if "pk" in kwargs and selectors.waitlist_entry_token_matches(pk=kwargs["pk"], token=token):
        return _waitlist_item(kwargs["pk"])
    return None


def _address_without_token(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("token", None)
    rest = query.urlencode() if query else ""
    return request.path + (f"?{rest}" if rest else "")


def exchanges_link_token(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views of one registration (URL argument `reference`) or one waitlist entry
    (`pk`): a GET whose `?token=` is valid gets the cookie and a redirect to the same
    address without the token. Any other token changes nothing: the view answers as it
    would without one (sign in, or 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = request.GET.get("token", "") if request.method in ("GET", "HEAD") else ""
        item = _redeemed_item(kwargs, token) if token else None
        if item is None:
            return view(request, *args, **kwargs)
        response = HttpResponseRedirect(_address_without_token(request))
        # An answer to an address that holds the token: no cache may keep it.
        add_never_cache_headers(response)
        return _remember_item(request, response, item)

    return wrapped
