"""The five pages the benchmarks measure, and the data behind them.

`build()` runs in a configured Django (its own benchmark database): the demo programs
(`load_demo`), a participant with 5 paid registrations in 5 programs, and a facilitator
leading a program of 200 confirmed people who answered its intake questions, with
attendance marked for the sessions already held. Both people get a real session in
whatever store settings.SESSION_ENGINE names, as signing in would give them.

bench/pages.py runs it as `python -m bench.scenario` under the production settings and
reads the pages as JSON; bench/profile_pages.py calls it in-process.
"""

import io
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from importlib import import_module

PARTICIPANT_EMAIL = "alex.martin@example.com"
FACILITATOR_EMAIL = "sam.rivera@example.com"
ROSTER_SIZE = 200
MY_PROGRAMS = 5
ROW = '<td data-label="Attended">'  # one per participant in the roster's table


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    target: float  # the floor for req/s of this page ÷ req/s of the bare app
    session_key: str | None = None  # signed in when set
    cookie_name: str = "sessionid"  # settings.SESSION_COOKIE_NAME
    expect: list[str] = field(default_factory=list)  # text the page must show
    rows: int | None = None  # ROW this many times

    def problems(self, status: int, body: str) -> list[str]:
        """Why this answer is not the page to measure (empty when it is)."""
        found = [] if status == 200 else [f"answered {status}, not 200"]
        found += [f"lacks {text!r}" for text in self.expect if text not in body]
        if self.rows is not None and body.count(ROW) != self.rows:
            found.append(f"shows {body.count(ROW)} roster rows, not {self.rows}")
        return found


def build() -> list[Page]:
    from django.conf import settings
    from django.core.management import call_command

    from programs.management.commands.load_demo import MSC_SLUG
    from programs.models import Program

    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    msc = Program.objects.get(slug=MSC_SLUG)
    program = msc.next_term  # the upcoming Winter MSC term: the page people open
    if program is None:
        raise RuntimeError("load_demo made no next term of the Winter MSC program")
    participant, my_titles = _participant()
    facilitator, roster_slug = _facilitator_of_200(msc)
    signed_in = ["Sign out", "My registrations"]
    pages = [
        Page("program-anonymous", f"/programs/{program.slug}/", 0.70,
             expect=[program.title, "Sign in"]),
        Page("program-signed-in", f"/programs/{program.slug}/", 0.15,
             session_key=_session(participant), expect=[program.title, *signed_in]),
        Page(f"my-registrations-{MY_PROGRAMS}", "/registrations/", 0.10,
             session_key=_session(participant), expect=[*my_titles, *signed_in]),
        Page(f"roster-{ROSTER_SIZE}", f"/facilitate/{roster_slug}/", 0.05,
             session_key=_session(facilitator), expect=signed_in, rows=ROSTER_SIZE),
        Page("home-anonymous", "/", 0.70, expect=["Sign in", "Mindful Self-Compassion"]),
    ]  # fmt: skip
    return [replace(page, cookie_name=settings.SESSION_COOKIE_NAME) for page in pages]


def _participant():
    """A participant with 5 confirmed, paid registrations in 5 upcoming programs."""
    from django.utils import timezone

    from programs.models import PriceOption, Program, Session
    from registrations.models import Payment, Registration

    user = _user(PARTICIPANT_EMAIL, "Alex Martin")
    now = timezone.now().replace(second=0, microsecond=0)
    titles = []
    for n in range(MY_PROGRAMS):
        program = Program.objects.create(
            slug=f"bench-evening-series-{n + 1}",
            title=f"Evening series {n + 1}: mindful living",
            summary="Six evenings online.",
            description="Short talks, guided practice and time to share.",
            format=Program.Format.ONLINE,
            meeting_link="https://meet.example.com/evening",
            capacity=20,
            status=Program.Status.PUBLISHED,
        )
        first = now + timedelta(days=10 + 7 * n)
        Session.objects.bulk_create(
            Session(program=program, title=f"Evening {week + 1}",
                    starts_at=first + timedelta(weeks=week),
                    ends_at=first + timedelta(weeks=week, hours=2))
            for week in range(6)
        )  # fmt: skip
        price = PriceOption.objects.create(program=program, label="Standard", amount_cents=45000)
        registration = Registration.objects.create(
            program=program, user=user, name=user.name, email=user.email,
            price_option=price, price_label=price.label, amount_due_cents=45000,
            status=Registration.Status.CONFIRMED, confirmed_at=now, agreed_to_policy_at=now,
        )  # fmt: skip
        Payment.objects.create(
            registration=registration, checkout_session_id=f"cs_bench_{n}",
            amount_cents=45000, status=Payment.Status.PAID, paid_at=now,
        )  # fmt: skip
        titles.append(program.title)
    return user, titles


def _facilitator_of_200(msc):
    """A copy of the MSC program that began about two weeks ago, led by a facilitator
    with an account: 200 confirmed people, their intake answers and attendance."""
    from django.utils import timezone

    from facilitate.models import Attendance
    from programs.models import Facilitator, Program
    from programs.services import program_duplicate
    from registrations.models import Answer, Registration

    user = _user(FACILITATOR_EMAIL, "Sam Rivera")
    first = msc.sessions.order_by("starts_at").first()
    weeks = (timezone.now() - timedelta(days=16) - first.starts_at).days // 7
    program = program_duplicate(program=msc, weeks=weeks)
    Program.objects.filter(pk=program.pk).update(
        slug="bench-roster-200", title="Mindful Self-Compassion: large group",
        capacity=ROSTER_SIZE, status=Program.Status.PUBLISHED, next_term=None,
    )  # fmt: skip
    program.refresh_from_db()
    program.facilitators.add(Facilitator.objects.create(name="Sam Rivera", user=user))
    registered = timezone.now() - timedelta(days=30)
    people = Registration.objects.bulk_create(
        Registration(
            program=program, name=f"Participant {n:03d}", email=f"p{n:03d}@example.com",
            price_label="Standard", amount_due_cents=45000,
            status=Registration.Status.CONFIRMED, created_at=registered, confirmed_at=registered,
        )
        for n in range(ROSTER_SIZE)
    )  # fmt: skip
    questions = list(program.questions.all())
    Answer.objects.bulk_create(
        Answer(registration=person, question=q, question_text=q.text, sensitive=q.sensitive,
               value=f"An answer of a few words ({n})")
        for n, person in enumerate(people)
        for q in questions
    )  # fmt: skip
    held = [s for s in program.sessions.order_by("starts_at") if s.ends_at < timezone.now()]
    Attendance.objects.bulk_create(
        Attendance(registration=person, session=session, present=(n + i) % 5 != 0, marked_by=user)
        for n, person in enumerate(people)
        for i, session in enumerate(held)
    )
    return user, program.slug


def _user(email: str, name: str):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email=email, name=name, password=None)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _session(user) -> str:
    """A signed-in session in the configured store, with the keys django.contrib.auth's
    `login` writes."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    assert store.session_key is not None  # noqa: S101 - saved just above
    return store.session_key


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps([asdict(page) for page in build()]))
