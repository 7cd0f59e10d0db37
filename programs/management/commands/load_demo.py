"""Demo data for a local site: the Winter MSC program and its next term.

The Winter MSC program is written in English and French (programs/management/
demo_french.py); the in-person program is in English only, so the French site shows
how a missing French text falls back to the English.

Idempotent: a second run finds the programs by address and changes nothing.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from programs.management import demo_french
from programs.models import Agreement, Facilitator, PriceOption, Program, Question, Session
from programs.services import program_duplicate

TORONTO = ZoneInfo("America/Toronto")
MSC_SLUG = "mindful-self-compassion-winter-2026"
PAST_SLUG = "self-compassion-foundations"
SCREENED_SLUG = "mindful-self-compassion-application-first"
DEMO_PASSWORD = "omwellness-demo"  # noqa: S105 - local demo accounts only (DEBUG)

MSC_DESCRIPTION = """\
Mindful Self-Compassion (MSC) is an eight-week, evidence-based program that teaches
you to treat yourself with the warmth you would offer a good friend, especially when
life is hard.

Each evening combines short talks, guided meditations, gentle exercises and time to
share in small groups. Between sessions you practise at home with recordings we send
you, about 30 minutes a day.

**What you can expect to learn**

- how to calm an inner critic and motivate yourself with encouragement instead
- practices for moments of stress, grief or overwhelm
- ways to stay steady in difficult relationships
- how to savour the good in everyday life

No meditation experience is needed. MSC is not therapy; if you are going through a
crisis, please talk with us before registering.
"""

MSC_WEEKS = [
    "Week 1: Discovering self-compassion",
    "Week 2: Practising mindfulness",
    "Week 3: Loving-kindness",
    "Week 4: Finding your compassionate voice",
    "Week 5: Living by your values",
    "Week 6: Meeting difficult emotions",
    "Week 7: Challenging relationships",
    "Week 8: Embracing your life",
]

MSC_QUESTIONS = [
    ("What brings you to this program?", Question.Kind.LONG_TEXT, "", True, False),
    (
        "Have you practised meditation before?",
        Question.Kind.CHOICE,
        "Never\nA little\nRegularly",
        True,
        False,
    ),
    (
        "Are you currently working with a therapist or counsellor?",
        Question.Kind.YES_NO,
        "",
        True,
        True,
    ),
    (
        "Is there anything about your physical or mental health the facilitators should know?",
        Question.Kind.LONG_TEXT,
        "",
        False,
        True,
    ),
    ("How did you hear about us?", Question.Kind.SHORT_TEXT, "", False, False),
]


def toronto(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TORONTO)


class Command(BaseCommand):
    help = "Loads the demo programs (Winter MSC 2026 and its next term). Safe to run twice."

    @transaction.atomic
    def handle(self, *args, **options):
        lead, co = self.facilitators()
        demo_french.translate_facilitators(lead, co)
        msc = Program.objects.filter(slug=MSC_SLUG).first()
        if msc is None:
            msc = self.winter_msc(lead, co)
            self.stdout.write(f"Created {msc.title}.")
        if not Program.objects.filter(title__startswith="Mindful Self-Compassion", pk__gt=msc.pk):
            next_term = self.next_term(msc)
            self.stdout.write(f"Created {next_term.title} with the duplicate action.")
        if not Program.objects.filter(slug="mindfulness-in-everyday-life").exists():
            self.in_person(co)
        self.minimum_enrolment(Program.objects.get(slug=MSC_SLUG).next_term)
        if not Program.objects.filter(slug=SCREENED_SLUG).exists():
            self.screened_msc(msc)
        self.participant_agreement()
        self.mailing_list()
        if settings.DEBUG:
            # Known passwords belong on a developer's machine only.
            self.accounts(lead)
            self.switch_terms()
        self.past_program_with_certificates(msc)
        self.receipts()
        self.facilitator_order(lead, co)
        self.dashboard(Program.objects.get(slug=SCREENED_SLUG))

    def facilitators(self):
        lead, _ = Facilitator.objects.get_or_create(
            name="Lead teacher (demo profile)",
            defaults={
                "credentials": "Certified MSC teacher; registered psychotherapist",
                "bio": "Has taught mindfulness and self-compassion for over a decade, "
                "with a gentle, practical style and plenty of room for questions.",
            },
        )
        co, _ = Facilitator.objects.get_or_create(
            name="Co-teacher (demo profile)",
            defaults={
                "credentials": "Trained MSC teacher; yoga and meditation instructor",
                "bio": "Brings years of leading retreats and community classes, and a "
                "warm sense of humour to the hardest topics.",
            },
        )
        return lead, co

    def winter_msc(self, lead, co) -> Program:
        first_day = date(2026, 1, 7)  # a Wednesday
        program = Program.objects.create(
            slug=MSC_SLUG,
            title="Mindful Self-Compassion: Winter 2026",
            summary="Eight Wednesday evenings and a half-day retreat to build a kinder, "
            "steadier relationship with yourself. Online, in a small group.",
            description=MSC_DESCRIPTION,
            format=Program.Format.ONLINE,
            meeting_link="https://meet.omwellness.ca/msc-winter",
            capacity=20,
            registration_opens_at=toronto(date(2025, 10, 1), time(9, 0)),
            status=Program.Status.PUBLISHED,
            refund_days_before_start=7,
        )
        program.facilitators.set([lead, co])
        sessions = [
            Session(
                program=program,
                title=title,
                starts_at=toronto(first_day + timedelta(weeks=n), time(19, 0)),
                ends_at=toronto(first_day + timedelta(weeks=n), time(21, 30)),
            )
            for n, title in enumerate(MSC_WEEKS)
        ]
        retreat_day = first_day + timedelta(weeks=4, days=3)  # the Saturday after week 5
        sessions.append(
            Session(
                program=program,
                title=demo_french.RETREAT,
                starts_at=toronto(retreat_day, time(10, 0)),
                ends_at=toronto(retreat_day, time(14, 0)),
            )
        )
        Session.objects.bulk_create(sessions)
        PriceOption.objects.bulk_create(
            [
                PriceOption(
                    program=program,
                    position=1,
                    label="Supported",
                    amount_cents=29500,
                    description="For students, people on a low income or between jobs.",
                ),
                PriceOption(
                    program=program,
                    position=2,
                    label="Standard",
                    amount_cents=45000,
                    description="Covers the full cost of the program.",
                ),
                PriceOption(
                    program=program,
                    position=3,
                    label="Sustaining",
                    amount_cents=59500,
                    description="Helps fund supported places for others.",
                ),
            ]
        )
        Question.objects.bulk_create(
            [
                Question(
                    program=program,
                    position=n,
                    text=text,
                    kind=kind,
                    choices=choices,
                    required=required,
                    sensitive=sensitive,
                )
                for n, (text, kind, choices, required, sensitive) in enumerate(MSC_QUESTIONS)
            ]
        )
        demo_french.translate_msc(program)
        return program

    def next_term(self, msc: Program) -> Program:
        """The next winter term: 52 weeks later (same weekday), or more until it is ahead."""
        first = msc.sessions.order_by("starts_at").first()
        if first is None:
            raise CommandError(f"{msc.title} has no sessions to move on a term")
        weeks = 52
        while first.starts_at + timedelta(weeks=weeks) <= timezone.now():
            weeks += 52
        copy = program_duplicate(program=msc, weeks=weeks)
        copy.status = Program.Status.PUBLISHED
        copy.save(update_fields=["status"])
        msc.next_term = copy
        msc.save(update_fields=["next_term"])
        return copy

    def in_person(self, facilitator) -> Program:
        start = timezone.localdate() + timedelta(days=120)
        start += timedelta(days=(5 - start.weekday()) % 7)  # a Saturday
        program = Program.objects.create(
            slug="mindfulness-in-everyday-life",
            title="Mindfulness in Everyday Life",
            summary="Four Saturday mornings in the studio: simple practices for a busy life.",
            description="A friendly introduction to mindfulness for complete beginners.\n\n"
            "Bring comfortable clothes; mats and cushions are provided.",
            format=Program.Format.IN_PERSON,
            venue="omwellness studio, Toronto, Ontario",
            capacity=12,
            registration_opens_at=timezone.now() + timedelta(days=30),
            status=Program.Status.PUBLISHED,
        )
        program.facilitators.set([facilitator])
        Session.objects.bulk_create(
            [
                Session(
                    program=program,
                    title=f"Morning {n + 1}",
                    starts_at=toronto(start + timedelta(weeks=n), time(9, 30)),
                    ends_at=toronto(start + timedelta(weeks=n), time(12, 0)),
                )
                for n in range(4)
            ]
        )
        PriceOption.objects.create(program=program, label="Standard", amount_cents=18000)
        return program

    def switch_terms(self) -> None:
        """A participant who can switch to the next term (the switching app's own demo,
        called by name: the catalogue imports no other app)."""
        call_command("load_switch_demo", stdout=self.stdout)

    def minimum_enrolment(self, program: Program | None) -> None:
        """The next MSC term runs only with 8 participants; its decision date is two weeks
        before it starts (or tomorrow, when that is already past), and its page says how
        many more are needed."""
        if program is None or Program.objects.filter(minimum_participants__isnull=False).exists():
            return
        first = program.sessions.order_by("starts_at").first()
        if first is None:
            return
        start = timezone.localdate(first.starts_at)
        program.minimum_participants = 8
        program.minimum_decision_date = max(
            start - timedelta(days=14), min(timezone.localdate() + timedelta(days=1), start)
        )
        program.show_places_missing = True
        program.save(
            update_fields=["minimum_participants", "minimum_decision_date", "show_places_missing"]
        )
        self.stdout.write(f"{program.title} runs once 8 people have registered.")

    def screened_msc(self, msc: Program) -> Program:
        """The MSC program again, six weeks or so ahead, asking for an application before
        payment, with one application waiting for the demo facilitator (made by the
        registrations app's own command, through its service, as the form makes it)."""
        first = msc.sessions.order_by("starts_at").first()
        if first is None:
            raise CommandError(f"{msc.title} has no sessions to copy")
        weeks = -(-(timezone.now() + timedelta(weeks=6) - first.starts_at).days // 7)
        program = program_duplicate(program=msc, weeks=weeks)
        program.slug = SCREENED_SLUG
        program.title = "Small-group MSC: Mindful Self-Compassion, application first"
        program.title_fr = demo_french.SCREENED_TITLE_FR
        program.summary_fr = demo_french.SCREENED_SUMMARY_FR
        program.summary = (
            "The eight-week MSC program for a small group. A facilitator reads each "
            "application, and may call, before anyone pays."
        )
        program.meeting_link = "https://meet.omwellness.ca/msc-small-group"
        program.capacity = 12
        program.status = Program.Status.PUBLISHED
        program.requires_approval = True
        program.next_term = None
        program.save()
        call_command("demo_application", program.slug, stdout=self.stdout)
        self.stdout.write(f"Created {program.title}, with one application waiting.")
        return program

    def receipts(self) -> None:
        # The receipts app sits above the catalogue, which never imports it: its own
        # command registers the centre for HST and adds a paid registration with a receipt.
        call_command("load_demo_receipts", stdout=self.stdout)

    def mailing_list(self) -> None:
        """People who asked for news, and a draft to send: the mailing app's own command,
        called by name (the catalogue imports no other app)."""
        call_command("load_demo_mailing", stdout=self.stdout)

    def accounts(self, lead) -> None:
        User = get_user_model()
        for email, staff in [("admin@omwellness.ca", True), ("teacher@omwellness.ca", False)]:
            user, created = User.objects.get_or_create(
                email=email, defaults={"is_staff": staff, "is_superuser": staff}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                self.stdout.write(f"Demo account {email} / {DEMO_PASSWORD}")
            if not staff and lead.user_id is None:
                lead.user = user
                lead.save(update_fields=["user"])

    def past_program_with_certificates(self, msc: Program) -> None:
        """A term of the MSC program that ended two weeks ago (made with the duplicate
        action), with a completion rule: 7 of 9 sessions live, the retreat among them.
        The certificates app's demo command adds its participants, their attendance
        and certificates, and prints where to see them."""
        if not Program.objects.filter(slug=PAST_SLUG).exists():
            last = msc.sessions.order_by("ends_at").last()
            if last is None:
                raise CommandError(f"{msc.title} has no sessions to move on a term")
            weeks = (timezone.now() - timedelta(days=14) - last.ends_at).days // 7
            past = program_duplicate(program=msc, weeks=weeks)
            Program.objects.filter(pk=past.pk).update(
                slug=PAST_SLUG,
                title="Self-Compassion Foundations",
                title_fr=demo_french.PAST_TITLE_FR,
                status=Program.Status.PUBLISHED,
                next_term=None,
                completion_min_sessions=7,
            )
            past.sessions.filter(title=demo_french.RETREAT).update(required_for_completion=True)
        call_command("load_demo_certificates", PAST_SLUG, stdout=self.stdout)

    def participant_agreement(self) -> None:
        """Version 1 of the participant agreement, shown on every register form; editing it
        in the admin (Programs > Participant agreements) publishes version 2."""
        agreement = Agreement.current()
        self.stdout.write(f"Participant agreement: version {agreement.version}.")

    def facilitator_order(self, lead, co) -> None:
        """The lead teacher is listed first on every program page (Programs > Facilitators
        > position in the admin)."""
        Facilitator.objects.filter(pk=lead.pk).update(position=1)
        Facilitator.objects.filter(pk=co.pk).update(position=2)

    def dashboard(self, program: Program) -> None:
        """Registrations over the last days for the staff dashboard's chart: the
        registrations app's own command, called by name."""
        call_command("load_demo_dashboard", program.slug, stdout=self.stdout)
