"""The contractors' page says what a share link from Marketing shows and keeps."""

from django.db import migrations
from django.utils import timezone

SLUG = "contractors-and-partners"
SECTION = """

## Links from Marketing

Marketing may send you a share link instead of an account. It opens only the artwork chosen for you that is published at that moment, never drafts, and it ends on the date Marketing set (at most 90 days) or sooner if they end it. Opening it needs no account, sets no cookie and is not counted: the portal records nothing about who opened it or what was downloaded. If the link has a password, it was given to you separately; after a few wrong tries the link waits a quarter of an hour.
"""


def add_section(apps, schema_editor):
    PolicyPage = apps.get_model("policies", "PolicyPage")
    page = PolicyPage.objects.filter(slug=SLUG).first()
    if page is None or "## Links from Marketing" in page.body:
        return
    # As a save from the edit page does: the text it replaces stays in the change log.
    page.versions.create(title=page.title, body=page.body, saved_at=page.updated_at)
    page.body = page.body.rstrip("\n") + SECTION
    page.updated_at = timezone.now()
    page.save(update_fields=["body", "updated_at"])


def remove_section(apps, schema_editor):
    PolicyPage = apps.get_model("policies", "PolicyPage")
    for page in PolicyPage.objects.filter(slug=SLUG):
        page.body = page.body.replace(SECTION.rstrip("\n"), "").rstrip("\n") + "\n"
        page.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("policies", "0004_announcement_email_state_and_once_per_artwork")]

    operations = [migrations.RunPython(add_section, remove_section)]
