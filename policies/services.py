from datetime import timedelta

from django.conf import settings
from django.db import transaction

from policies import tasks
from policies.models import Announcement


@transaction.atomic
def announcement_publish(*, announcement: Announcement, email: bool, base_url: str) -> None:
    """Publish the announcement once and, if asked, email all staff once after commit."""
    announcement.publish(email=email and bool(settings.ALL_STAFF_EMAIL), site_url=base_url)
    if announcement.email_status == Announcement.EmailStatus.REQUESTED:
        _enqueue_email_after_commit(announcement.pk)


def announcement_emails_sweep(*, age: timedelta = timedelta(minutes=2)) -> int:
    """Queue again the emails that were asked for but never taken by a worker.

    The row, not the queue, records what is owed: a publish while Redis was down
    or a lost message only delays the email. The claim in send_email makes a
    second queued copy harmless. Returns how many were queued.
    """
    pending = list(Announcement.objects.email_unsent(age=age).values_list("pk", flat=True))
    for pk in pending:
        tasks.announcement_email.delay(pk)
    return len(pending)


def _enqueue_email_after_commit(announcement_id: int) -> None:
    # robust: with the broker down the publish still succeeds; the sweep sends it later.
    transaction.on_commit(lambda: tasks.announcement_email.delay(announcement_id), robust=True)
