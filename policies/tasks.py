from datetime import timedelta

from celery import shared_task

from policies.models import Announcement


@shared_task(acks_late=True)
def announcement_email(announcement_id: int) -> None:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is not None:
        announcement.send_email()


@shared_task
def sweep_announcement_emails(older_than: float = 120) -> int:
    """Queue again the emails that were asked for but never taken by a worker.

    The row, not the queue, records what is owed: a publish while Redis was down
    or a lost message only delays the email. The claim in send_email makes a
    second queued copy harmless. Returns how many were queued; called directly,
    it runs here and now.
    """
    age = timedelta(seconds=older_than)
    pending = list(Announcement.objects.email_unsent(age=age).values_list("pk", flat=True))
    for pk in pending:
        announcement_email.delay(pk)
    return len(pending)
