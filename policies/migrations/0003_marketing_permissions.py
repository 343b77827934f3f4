"""Let Marketing edit policy pages and write and publish announcements.

Reading a policy page needs no permission at all: every signed-in account may,
including one with no role, such as a contractor.
"""

from django.db import migrations

from accounts.roles import grant_permissions, revoke_permissions

MARKETING = [
    "change_policypage",
    "view_announcement",
    "add_announcement",
    "change_announcement",
    "publish_announcement",
]


def grant(apps, schema_editor):
    grant_permissions(apps, "Marketing", "policies", MARKETING)


def revoke(apps, schema_editor):
    revoke_permissions(apps, "Marketing", "policies", MARKETING)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0002_default_pages"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
