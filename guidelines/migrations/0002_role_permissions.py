"""Every role reads a collection's guidelines; Marketing writes them."""

from django.db import migrations

from accounts.roles import grant_permissions, revoke_permissions

READ = ["view_guideline"]
WRITE = ["add_guideline", "change_guideline"]
ROLE_PERMISSIONS = {"Employees": READ, "Leadership": READ, "Marketing": READ + WRITE}


def grant(apps, schema_editor):
    for role, codenames in ROLE_PERMISSIONS.items():
        grant_permissions(apps, role, "guidelines", codenames)


def revoke(apps, schema_editor):
    for role, codenames in ROLE_PERMISSIONS.items():
        revoke_permissions(apps, role, "guidelines", codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0001_guidelines"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
