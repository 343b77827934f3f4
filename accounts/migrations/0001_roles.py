"""Create the three roles with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

BROWSE = [("assets", "view_asset"), ("assets", "view_collection"), ("assets", "view_tag")]
MANAGE = [
    ("assets", "add_asset"),
    ("assets", "change_asset"),
    ("assets", "delete_asset"),
    ("assets", "publish_asset"),
    ("assets", "add_collection"),
    ("assets", "change_collection"),
    ("assets", "delete_collection"),
    ("assets", "add_tag"),
    ("assets", "change_tag"),
    ("assets", "delete_tag"),
]
ROLE_PERMISSIONS = {
    "Employees": BROWSE,
    "Marketing": BROWSE + MANAGE,
    "Leadership": BROWSE,
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("assets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
