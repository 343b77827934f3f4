"""Create the three roles with their permissions on the asset library."""

from django.db import migrations

from accounts.roles import grant_permissions

BROWSE = ["view_asset", "view_collection", "view_tag"]
MANAGE = [
    "add_asset",
    "change_asset",
    "delete_asset",
    "publish_asset",
    "add_collection",
    "change_collection",
    "delete_collection",
    "add_tag",
    "change_tag",
    "delete_tag",
]
ROLE_PERMISSIONS = {
    "Employees": BROWSE,
    "Marketing": BROWSE + MANAGE,
    "Leadership": BROWSE,
}


def create_roles(apps, schema_editor):
    for role, codenames in ROLE_PERMISSIONS.items():
        grant_permissions(apps, role, "assets", codenames)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("assets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
