"""Marketing makes, sees and ends share links; no other role touches them."""

from django.db import migrations

from accounts.roles import grant_permissions, revoke_permissions

CODENAMES = ["view_sharelink", "add_sharelink", "change_sharelink"]


def grant(apps, schema_editor):
    grant_permissions(apps, "Marketing", "sharing", CODENAMES)


def revoke(apps, schema_editor):
    revoke_permissions(apps, "Marketing", "sharing", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0001_share_links"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
