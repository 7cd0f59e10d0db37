"""The "Program staff" group: what an office administrator needs, and no more.

Given: the catalogue (programs, sessions, prices, questions, facilitator profiles),
registrations with their intake answers, cancelling and refunding, emailing a
program's participants, attendance, the waitlist, discount codes, and the outbox
(read and resend). Payments, refunds and registration history are read-only.

Left out on purpose: user accounts and groups (who may do what is a superuser's
decision), Stripe events (raw payloads; the payments and refunds say what happened),
and deleting programs, registrations, payments, waitlist entries or discount codes
(they are the record; cancel, close or deactivate instead).

The codenames are written out here rather than imported, so this migration keeps
meaning what it meant when it ran.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Program staff"

PERMISSIONS = {
    "programs": [
        "view_program",
        "add_program",
        "change_program",
        "view_session",
        "add_session",
        "change_session",
        "delete_session",
        "view_priceoption",
        "add_priceoption",
        "change_priceoption",
        "delete_priceoption",
        "view_question",
        "add_question",
        "change_question",
        "delete_question",
        "view_facilitator",
        "add_facilitator",
        "change_facilitator",
    ],
    "registrations": [
        "view_registration",
        "change_registration",
        "cancel_registration",
        "refund_registration",
        "message_participants",
        "view_answer",
        "view_payment",
        "view_refund",
        "view_registrationlog",
        "view_waitlistentry",
        "change_waitlistentry",
        "view_discountcode",
        "add_discountcode",
        "change_discountcode",
    ],
    "outbox": [
        "view_outboundemail",
        "resend_outboundemail",
    ],
    "facilitate": [
        "view_attendance",
        "add_attendance",
        "change_attendance",
    ],
}


def create_program_staff(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally made by post_migrate, after every migration has run; the
    # custom ones (cancel, refund, message, resend) must exist now for the group to hold
    # them. create_permissions skips the ones already there.
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    for label, codenames in PERMISSIONS.items():
        found = list(
            Permission.objects.using(using).filter(
                content_type__app_label=label, codename__in=codenames
            )
        )
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"Permissions missing for {GROUP}: {sorted(missing)}")
        group.permissions.add(*found)


def remove_program_staff(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programs", "0001_initial"),
        ("outbox", "0001_initial"),
        ("registrations", "0001_initial"),
        ("facilitate", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_program_staff, remove_program_staff)]
