"""Leadership (and superusers, always) may see the uptake dashboard."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs this one now.
    app_config = apps.get_app_config("tracking")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Leadership")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="tracking", codename="view_uptake")
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Leadership"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="tracking", codename="view_uptake")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0001_initial"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
