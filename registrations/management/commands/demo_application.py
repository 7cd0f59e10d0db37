"""One application to a program that requires approval, made as the form makes it:
for the demo data (programs' load_demo calls it by name, as programs imports no app)."""

from django.core.management.base import BaseCommand, CommandError

from programs.models import Program
from registrations import services
from registrations.models import Registration

# Answers by question kind, so any program's questions get one that fits.
SAMPLE = {"yes_no": "No", "long_text": "I would like to be kinder to myself at work."}


class Command(BaseCommand):
    help = "Makes one demo application (Demo participant 1) to a program requiring approval."

    def add_arguments(self, parser):
        parser.add_argument("slug")

    def handle(self, *args, slug, **options):
        program = Program.objects.filter(slug=slug, requires_approval=True).first()
        if program is None:
            raise CommandError(f"No program {slug} that requires approval")
        questions = list(program.questions.all())
        price = program.price_options.order_by("position").first()
        if price is None:
            raise CommandError(f"{program.title} has no price to apply at")
        registration = services.registration_create(
            program=program,
            data=services.RegistrationInput(
                name="Demo participant 1",
                email="participant1@example.com",
                phone="",
                price_option=price,
                answers={
                    q.pk: q.choice_list[0] if q.choice_list else SAMPLE.get(q.kind, "A friend")
                    for q in questions
                },
            ),
        )
        if registration.status != Registration.Status.APPLIED:
            raise CommandError(f"{registration.reference} is {registration.status}, not applied")
        self.stdout.write(f"Demo application {registration.reference} to {program.title}.")
