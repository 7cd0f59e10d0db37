from datetime import timedelta

import factory
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from omwellness.models import User
from programs.models import Facilitator, PriceOption, Program, Question, Session
from registrations.models import Registration, WaitlistEntry


def make_program_staff(**kwargs) -> User:
    """A staff member in the "Program staff" group that a data migration creates."""
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name="Program staff"))
    return user


def staff_with(*perms: str):
    """A staff member holding exactly these permissions ("app_label.codename")."""
    user = UserFactory(is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class FacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facilitator

    name = factory.Sequence(lambda n: f"Facilitator {n}")
    bio = "Leads with warmth."


class ProgramFactory(factory.django.DjangoModelFactory):
    """A published online program of 8 weekly sessions starting in 30 days."""

    class Meta:
        model = Program
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"program-{n}")
    title = factory.Sequence(lambda n: f"Program {n}")
    summary = "A calm program."
    description = "Some **words**."
    format = Program.Format.ONLINE
    meeting_link = "https://meet.example.com/secret-room"
    capacity = 10
    status = Program.Status.PUBLISHED

    @factory.post_generation
    def sessions(program, create, extracted, starts_in=timedelta(days=30), weeks=8, **kwargs):
        """`ProgramFactory(sessions__starts_in=timedelta(days=-3), sessions__weeks=2)`."""
        if not create or extracted is False:
            return
        first = (timezone.now() + starts_in).replace(second=0, microsecond=0)
        Session.objects.bulk_create(
            Session(
                program=program,
                title=f"Week {n + 1}",
                starts_at=first + timedelta(weeks=n),
                ends_at=first + timedelta(weeks=n, hours=2, minutes=30),
            )
            for n in range(weeks)
        )

    @factory.post_generation
    def price_options(program, create, extracted, **kwargs):
        if create and extracted is not False:
            PriceOption.objects.create(program=program, label="Standard", amount_cents=45000)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    program = factory.SubFactory(ProgramFactory, sessions=False)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    program = factory.SubFactory(ProgramFactory)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = Question.Kind.SHORT_TEXT
    required = True


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.com")
    status = Registration.Status.CONFIRMED
    amount_due_cents = 45000
    confirmed_at = factory.LazyFunction(timezone.now)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    program = factory.SubFactory(ProgramFactory)
    name = factory.Sequence(lambda n: f"Waiting {n}")
    email = factory.Sequence(lambda n: f"waiting{n}@example.com")
