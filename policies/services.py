from django.conf import settings
from django.db import transaction

from policies import tasks
from policies.models import Announcement, all_staff_addresses


@transaction.atomic
def announcement_publish(*, announcement: Announcement, email: bool, base_url: str) -> None:
    """Publish the announcement once and, if asked, email each all-staff list once
    after commit."""
    email = email and bool(all_staff_addresses()) and settings.MAIL_ENABLED
    announcement.publish(email=email, site_url=base_url)
    if announcement.email_status == Announcement.EmailStatus.REQUESTED:
        _enqueue_email_after_commit(announcement.pk)


def _enqueue_email_after_commit(announcement_id: int) -> None:
    # robust: with the broker down the publish still succeeds; the sweep sends it later.
    transaction.on_commit(lambda: tasks.announcement_email.delay(announcement_id), robust=True)
