"""Each release keeps the calibration it was made with.

Releases made before this had no bound per person: their noise was discrete Laplace
of scale 2 / epsilon on each of two measurements (artwork totals, sizes), which is
what they keep; `person_bound` and `person_epsilon` stay empty for them.
"""

from django.db import migrations, models


def keep_old_scale(apps, schema_editor):
    Release = apps.get_model("tracking", "Release")
    Release.objects.update(noise_scale=2 / models.F("epsilon"))


class Migration(migrations.Migration):
    dependencies = [("tracking", "0003_weekly_releases_replace_raw_counts")]

    operations = [
        migrations.AddField(
            model_name="release",
            name="person_bound",
            field=models.PositiveSmallIntegerField(
                help_text="Counts one person could add that week; empty before there was a bound.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="release",
            name="person_epsilon",
            field=models.FloatField(
                help_text="Privacy loss of a person who added all their counts that week.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="release",
            name="noise_scale",
            field=models.FloatField(null=True),
        ),
        migrations.RunPython(keep_old_scale, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="release",
            name="noise_scale",
            field=models.FloatField(
                help_text="Scale of the discrete Laplace noise on each number."
            ),
        ),
    ]
