"""Intake answers given after registering: asked again after a transfer, or filled in by staff."""

from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Question
from programs.translated import english
from registrations.models import Answer, Registration

from .errors import AnswersRefused
from .log import registration_log


def registration_answers_save(
    *, registration: Registration, answers: dict[int, str], actor=None
) -> Registration:
    """Stores the answers to the questions of the registration's own program, and only
    those (DESIGN rule 10); a question left empty clears its answer.

    The program is read again under the registration's lock: if staff transferred it
    while the form was open, answers meant for the other program are not stored.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise AnswersRefused(
                _("This registration is no longer active, so no answers are needed.")
            )
        questions = list(Question.objects.filter(program_id=registration.program_id))
        asked = {question.pk for question in questions}
        if not set(answers) <= asked:
            raise AnswersRefused(
                _(
                    "The questions of this program have changed since the page was opened. "
                    "Please reload the page and answer again."
                )
            )
        stored = 0
        for question in questions:
            value = answers.get(question.pk, "")
            if value:
                Answer.objects.update_or_create(
                    registration=registration,
                    question=question,
                    defaults={
                        "question_text": english(question, "text"),
                        "sensitive": question.sensitive,
                        "value": value,
                    },
                )
                stored += 1
            else:
                Answer.objects.filter(registration=registration, question=question).delete()
        registration_log(
            registration=registration,
            actor=actor,
            action="answers given",
            message=f"{stored} of {len(questions)} intake questions answered",
        )
    return registration
