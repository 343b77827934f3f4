from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def email_state_from_old_fields(apps, schema_editor):
    # emailed_at used to be set when the send was claimed; an error meant it failed.
    Announcement = apps.get_model("policies", "Announcement")
    claimed = Announcement.objects.filter(emailed_at__isnull=False)
    claimed.exclude(email_error="").update(
        email_status="failed", email_claimed_at=F("emailed_at"), emailed_at=None
    )
    claimed.filter(email_error="").update(email_status="sent", email_claimed_at=F("emailed_at"))
    Announcement.objects.filter(email_requested=True, emailed_at__isnull=True).update(
        email_status="requested"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0002_renditions'),
        ('policies', '0003_marketing_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='announcement',
            name='email_claimed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When a worker took the one email.', null=True),
        ),
        migrations.AddField(
            model_name='announcement',
            name='email_status',
            field=models.CharField(blank=True, choices=[('', 'No email'), ('requested', 'Waiting to be sent'), ('claimed', 'Being sent'), ('sent', 'Sent'), ('failed', 'Failed')], default='', editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name='announcement',
            name='site_url',
            field=models.URLField(blank=True, editable=False),
        ),
        migrations.RunPython(email_state_from_old_fields, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='announcement',
            name='email_requested',
        ),
        migrations.AlterField(
            model_name='announcement',
            name='emailed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When the mail server accepted it.', null=True),
        ),
        migrations.AddConstraint(
            model_name='announcement',
            constraint=models.UniqueConstraint(fields=('collection',), name='announcement_once_per_collection', violation_error_code='unique', violation_error_message='This collection has already been announced. An artwork is announced at most once, ever.'),
        ),
        migrations.AddConstraint(
            model_name='announcement',
            constraint=models.UniqueConstraint(fields=('asset',), name='announcement_once_per_asset', violation_error_code='unique', violation_error_message='This asset has already been announced. An artwork is announced at most once, ever.'),
        ),
        migrations.AlterConstraint(
            model_name='announcement',
            name='announcement_names_a_collection_or_an_asset',
            constraint=models.CheckConstraint(condition=models.Q(('collection__isnull', True), ('asset__isnull', True), _connector='XOR'), name='announcement_names_a_collection_or_an_asset', violation_error_message='Choose either a collection or one asset.'),
        ),
    ]
