"""A brand lead reads the guidelines, as every role does."""

from django.db import migrations

from accounts.roles import grant_permissions, revoke_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, "Brand lead", "guidelines", ["view_guideline"])


def revoke(apps, schema_editor):
    revoke_permissions(apps, "Brand lead", "guidelines", ["view_guideline"])


class Migration(migrations.Migration):
    dependencies = [
        ("guidelines", "0002_role_permissions"),
        ("assets", "0011_review"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
