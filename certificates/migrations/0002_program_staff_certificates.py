"""The "Program staff" group (registrations 0002) reads completion and issues
certificates, as it marks attendance. Revoking is left out: a superuser gives
`revoke_certificate` to whoever should hold it.

The codenames are written out rather than imported, so this migration keeps meaning
what it meant when it ran.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Program staff"
CODENAMES = ["view_certificate", "add_certificate"]


def give(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally made by post_migrate, after every migration has run.
    app_config = apps.get_app_config("certificates")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP)
    found = list(
        Permission.objects.using(using).filter(
            content_type__app_label="certificates", codename__in=CODENAMES
        )
    )
    if len(found) != len(CODENAMES):
        raise RuntimeError(f"Permissions missing for {GROUP}: {CODENAMES}")
    group.permissions.add(*found)


def take_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    group = Group.objects.using(using).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.using(using).filter(
                content_type__app_label="certificates", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("registrations", "0002_program_staff_group"),
    ]

    operations = [migrations.RunPython(give, take_back)]
