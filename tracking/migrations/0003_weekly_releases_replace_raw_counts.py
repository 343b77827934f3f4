"""Raw counts leave the database: only each closed week's noisy release is stored.

The old table is dropped, not altered, so no old row version of a raw count stays
in its file. The uptake permission moves to the new model, keeping its grants.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_permission(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    release, _ = ContentType.objects.get_or_create(app_label="tracking", model="release")
    Permission.objects.filter(
        content_type__app_label="tracking", content_type__model="count", codename="view_uptake"
    ).update(content_type=release)


def move_permission_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    count, _ = ContentType.objects.get_or_create(app_label="tracking", model="count")
    Permission.objects.filter(
        content_type__app_label="tracking", content_type__model="release", codename="view_uptake"
    ).update(content_type=count)


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("tracking", "0002_leadership_sees_uptake"),
    ]

    operations = [
        migrations.CreateModel(
            name="Release",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("week", models.DateField(help_text="Monday of the ISO week.", unique=True)),
                ("epsilon", models.FloatField(help_text="Privacy loss of one count in this release.")),
                ("min_count", models.PositiveSmallIntegerField(help_text="Threshold applied to noisy numbers.")),
                ("totals", models.JSONField()),
            ],
            options={
                "ordering": ["-week"],
                "permissions": [("view_uptake", "Can see the anonymous uptake dashboard")],
            },
        ),
        migrations.CreateModel(
            name="ReleasedSizes",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("counts", models.JSONField(help_text='Size slug ("" for the original) to its number.')),
                ("asset", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="assets.asset")),
                ("release", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sizes", to="tracking.release")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("release", "asset"), name="tracking_sizes_once")],
            },
        ),
        migrations.RunPython(move_permission, move_permission_back),
        migrations.DeleteModel(name="Count"),
    ]
