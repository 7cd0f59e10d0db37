"""Demo data for a local site: the Winter MSC program and its next term.

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

from programs.models import Facilitator, PriceOption, Program, Question, Session
from programs.services import program_duplicate

TORONTO = ZoneInfo("America/Toronto")
MSC_SLUG = "mindful-self-compassion-winter-2026"
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
        msc = Program.objects.filter(slug=MSC_SLUG).first()
        if msc is None:
            msc = self.winter_msc(lead, co)
            self.stdout.write(f"Created {msc.title}.")
        if not Program.objects.filter(title__startswith="Mindful Self-Compassion", pk__gt=msc.pk):
            next_term = self.next_term(msc)
            self.stdout.write(f"Created {next_term.title} with the duplicate action.")
        if not Program.objects.filter(slug="mindfulness-in-everyday-life").exists():
            self.in_person(co)
        self.mailing_list()
        if settings.DEBUG:
            # Known passwords belong on a developer's machine only.
            self.accounts(lead)

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
                title="Half-day silent retreat",
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
