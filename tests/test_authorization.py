"""Who may open which page (DESIGN rule 8), checked for every portal address.

Every address that shows a registration, roster, attendance, export or receipt is
listed in PROTECTED below, and one parametrised test opens each one as each kind of
person. `test_authorization_covers_every_portal_address` walks the URLconf, so a new
view under /registrations/ or /facilitate/ fails the suite until it is listed here.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from certificates.models import Certificate
from outbox.models import OutboundEmail
from registrations.models import Registration, WaitlistEntry

from .factories import (
    FacilitatorFactory,
    ProgramFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
    make_program_staff,
)
from .helpers import receipt_for

pytestmark = pytest.mark.django_db

# What each address needs, by the objects the `world` fixture makes.
PARTICIPANT_PAGES = {
    "registrations:detail": lambda w: [w.registration.reference],
    "registrations:receipt": lambda w: [w.registration.reference],
    "registrations:calendar": lambda w: [w.registration.reference],
    "registrations:cancel": lambda w: [w.registration.reference],
    "registrations:answers": lambda w: [w.registration.reference],
    "registrations:waitlist_leave": lambda w: [w.entry.pk],
    "certificates:download": lambda w: [w.registration.reference],
    "switching:switch": lambda w: [w.registration.reference],
    "receipts:download": lambda w: [w.paid.reference, w.receipt.number],
}
FACILITATOR_PAGES = {
    "facilitate:roster": lambda w: [w.program.slug],
    "facilitate:export": lambda w: [w.program.slug],
    "facilitate:sign_in_sheet": lambda w: [w.program.slug],
    "facilitate:attendance": lambda w: [w.program.slug],
    "facilitate:attendance_session": lambda w: [w.program.slug, w.session.pk],
    "facilitate:message": lambda w: [w.program.slug],
    "certificates:completion": lambda w: [w.program.slug],
    "facilitate:applications": lambda w: [w.program.slug],
    "facilitate:application_decline": lambda w: [w.program.slug, w.application.reference],
}
PROTECTED = {**PARTICIPANT_PAGES, **FACILITATOR_PAGES}
# Addresses that change something on POST: denied people must change nothing.
POSTS = {
    "registrations:cancel": {},
    "registrations:answers": {},
    "registrations:waitlist_leave": {},
    "switching:switch": {"target": "1"},
    "facilitate:attendance_session": {"present": "on"},
    "facilitate:message": {"subject": "Hello", "body": "Hello"},
    "certificates:completion": {"issue": "all"},
    "facilitate:application_decline": {"message": "No"},
}
# Pages about the person themself rather than a particular object: checked below.
PERSONAL_INDEXES = {"registrations:list", "facilitate:program_list"}
# The payment flow's addresses act on a registration from Stripe's redirect or the
# person's own browser; they answer 404 (not a sign-in page) and are tested in
# tests/test_register_views.py.
PAYMENT_FLOW = {"registrations:pay", "registrations:paid", "registrations:checkout_cancelled"}
# Deciding an application is a POST alone (no page to open): its authorization is tested
# in tests/facilitate/test_approval_portal.py.
APPROVAL_DECISIONS = {"facilitate:application_approve", "facilitate:application_call_first"}

# Staff come in three kinds: a superuser, a member of the "Program staff" group, and
# someone with the staff flag and no permissions, who sees no more than a stranger.
ROLES = [
    "anonymous",
    "other_participant",
    "other_facilitator",
    "plain_staff",
    "program_staff",
    "superuser",
    "owner",
]
DENIED = ("other_participant", "other_facilitator", "plain_staff")


class World:
    def __init__(self):
        self.program = ProgramFactory(title="Winter MSC")
        self.session = self.program.sessions.first()
        self.application = RegistrationFactory(
            program=self.program, status=Registration.Status.APPLIED, confirmed_at=None
        )
        self.owner = UserFactory()
        self.registration = RegistrationFactory(
            program=self.program, email=self.owner.email, user=self.owner, amount_due_cents=0
        )
        self.paid = RegistrationFactory(email=self.owner.email, user=self.owner)
        self.receipt = receipt_for(self.paid)
        self.entry = WaitlistEntryFactory(
            program=ProgramFactory(title="Full retreat"), email=self.owner.email
        )
        self.facilitator = UserFactory()
        self.program.facilitators.add(FacilitatorFactory(user=self.facilitator))
        self.other_facilitator = UserFactory()
        ProgramFactory().facilitators.add(FacilitatorFactory(user=self.other_facilitator))
        self.other_participant = UserFactory()
        RegistrationFactory(user=self.other_participant, email=self.other_participant.email)
        self.plain_staff = UserFactory(is_staff=True)
        self.program_staff = make_program_staff()
        self.superuser = UserFactory(is_staff=True, is_superuser=True)
        self.certificate = Certificate.objects.create(
            registration=self.registration,
            name=self.registration.name,
            program_title=self.program.title,
            first_day=self.session.starts_at.date(),
            last_day=self.session.starts_at.date(),
            sessions_attended=1,
            sessions_total=1,
            live_minutes=150,
            issued_at=self.session.ends_at,
        )

    def person(self, role, url_name):
        if role == "owner":
            return self.facilitator if url_name in FACILITATOR_PAGES else self.owner
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db, settings):
    # Six accounts per test: a quick hasher keeps the hundred-odd checks fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return World()


def open_as(client, world, role, url_name, method="get", data=None):
    person = world.person(role, url_name)
    if person is not None:
        client.force_login(person)
    url = reverse(url_name, args=PROTECTED[url_name](world))
    return getattr(client, method)(url, data or {})


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
        "account_login"
    )


@pytest.mark.parametrize("url_name", sorted(PROTECTED))
@pytest.mark.parametrize("role", ROLES)
def test_authorization_of_every_portal_page(client, world, url_name, role):
    response = open_as(client, world, role, url_name)
    if role == "anonymous":
        assert is_sign_in_redirect(response)
    elif role in DENIED:
        assert response.status_code == 404
        assert world.registration.name not in response.content.decode()
    else:  # permitted staff, and the registration's owner or the program's facilitator
        assert response.status_code == 200


@pytest.mark.parametrize("url_name", sorted(POSTS))
@pytest.mark.parametrize("role", ["anonymous", *DENIED])
def test_authorization_of_every_portal_change(client, world, url_name, role):
    response = open_as(client, world, role, url_name, "post", POSTS[url_name])
    assert is_sign_in_redirect(response) if role == "anonymous" else response.status_code == 404
    world.registration.refresh_from_db()
    world.entry.refresh_from_db()
    assert world.registration.status == Registration.Status.CONFIRMED
    assert world.entry.status == WaitlistEntry.Status.WAITING
    assert not world.registration.attendance.exists()
    assert not OutboundEmail.objects.filter(kind="message").exists()
    world.application.refresh_from_db()
    assert world.application.status == Registration.Status.APPLIED


def test_authorization_of_the_personal_indexes(client, world):
    for name in PERSONAL_INDEXES:
        assert is_sign_in_redirect(client.get(reverse(name)))
    client.force_login(world.other_participant)
    mine = client.get(reverse("registrations:list")).content.decode()
    assert world.registration.reference not in mine
    assert client.get(reverse("facilitate:program_list")).status_code == 404
    client.force_login(world.other_facilitator)
    assert "Winter MSC" not in client.get(reverse("facilitate:program_list")).content.decode()
    client.force_login(world.plain_staff)
    assert client.get(reverse("facilitate:program_list")).status_code == 404
    for permitted in (world.program_staff, world.superuser):
        client.force_login(permitted)
        assert "Winter MSC" in client.get(reverse("facilitate:program_list")).content.decode()


def test_authorization_by_emailed_token_opens_only_that_registration(client, world):
    other = RegistrationFactory(program=world.program)
    token = {"token": world.registration.access_token}
    for name in ("detail", "receipt", "calendar", "cancel", "answers"):
        mine = reverse(f"registrations:{name}", args=[world.registration.reference])
        theirs = reverse(f"registrations:{name}", args=[other.reference])
        opened = client.get(mine, token)
        assert opened.status_code == 302 and opened["Location"] == mine  # traded for a cookie
        assert client.get(mine).status_code == 200
        assert is_sign_in_redirect(client.get(theirs, token))


def test_authorization_hides_whether_a_reference_exists(client, world):
    client.force_login(world.other_participant)
    real = client.get(reverse("registrations:detail", args=[world.registration.reference]))
    made_up = client.get(reverse("registrations:detail", args=["OMW-ZZZZZ"]))
    assert real.status_code == made_up.status_code == 404


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}"


def test_authorization_covers_every_portal_address():
    portal = {
        name
        for route, name in _routes(get_resolver())
        if route.startswith(("registrations/", "facilitate/"))
    }
    listed = set(PROTECTED)
    known = PERSONAL_INDEXES | PAYMENT_FLOW | APPROVAL_DECISIONS
    assert portal - listed - known == set(), "list the new address in PROTECTED"
    assert listed <= portal
