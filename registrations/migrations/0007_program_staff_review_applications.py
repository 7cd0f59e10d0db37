"""The "Program staff" group may decide applications to any program (approve, decline,
call first), as it may already read every registration's intake answers and cancel:
an office administrator acts when a program's facilitators are away.

The codename is written out here rather than imported, so this migration keeps meaning
what it meant when it ran.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Program staff"
CODENAME = "review_application"


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    # Permissions are normally made by post_migrate, after every migration: this one
    # must exist now for the group to hold it. create_permissions skips existing ones.
    app_config = apps.get_app_config("registrations")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=using, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(using).filter(name=GROUP).first()
    if group is None:  # removed by a superuser: nothing to add to
        return
    permission = Permission.objects.using(using).get(
        content_type__app_label="registrations", codename=CODENAME
    )
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    using = schema_editor.connection.alias
    group = Group.objects.using(using).filter(name=GROUP).first()
    permission = (
        Permission.objects.using(using)
        .filter(content_type__app_label="registrations", codename=CODENAME)
        .first()
    )
    if group is not None and permission is not None:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0006_registration_applications"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
