"""Let Marketing edit policy pages and write and publish announcements.

Reading a policy page needs no permission at all: every signed-in account may,
including one with no role, such as a contractor.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MARKETING = [
    "change_policypage",
    "view_announcement",
    "add_announcement",
    "change_announcement",
    "publish_announcement",
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Marketing")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="policies", codename__in=MARKETING)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Marketing"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="policies", codename__in=MARKETING)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0002_default_pages"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
