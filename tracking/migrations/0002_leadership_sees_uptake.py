"""Leadership (and superusers, always) may see the uptake dashboard."""

from django.db import migrations

from accounts.roles import grant_permissions, revoke_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, "Leadership", "tracking", ["view_uptake"])


def revoke(apps, schema_editor):
    revoke_permissions(apps, "Leadership", "tracking", ["view_uptake"])


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0001_initial"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
