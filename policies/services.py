from django.conf import settings
from django.db import transaction

from policies.models import Announcement
from policies.tasks import announcement_email


@transaction.atomic
def announcement_publish(*, announcement: Announcement, email: bool, base_url: str) -> None:
    """Publish the announcement once and, if asked, email all staff once after commit."""
    announcement.publish(email=email and bool(settings.ALL_STAFF_EMAIL))
    if announcement.email_requested:
        announcement_email.delay_on_commit(announcement.pk, base_url)
