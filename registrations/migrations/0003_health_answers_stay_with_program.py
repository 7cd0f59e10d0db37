"""Deletes intake answers that transfers carried to another program before transfers
deleted them (DESIGN rule 10), and writes how many on each registration's log.

Answers whose question was later deleted are kept: they were given for the program the
registration is still in, and their question text is kept for that reason.
"""

from django.db import migrations
from django.db.models import F


def delete_answers_of_other_programs(apps, schema_editor):
    Answer = apps.get_model("registrations", "Answer")
    RegistrationLog = apps.get_model("registrations", "RegistrationLog")
    carried = Answer.objects.filter(question__isnull=False).exclude(
        question__program_id=F("registration__program_id")
    )
    counts: dict[int, int] = {}
    for registration_id in carried.values_list("registration_id", flat=True):
        counts[registration_id] = counts.get(registration_id, 0) + 1
    carried.delete()
    RegistrationLog.objects.bulk_create(
        RegistrationLog(
            registration_id=registration_id,
            action="answers removed",
            message=(
                f"{count} intake answer{'' if count == 1 else 's'} given for a program it "
                "was transferred from deleted, not kept for the new program"
            ),
        )
        for registration_id, count in counts.items()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0002_program_staff_group"),
    ]

    operations = [
        migrations.RunPython(delete_answers_of_other_programs, migrations.RunPython.noop),
    ]
