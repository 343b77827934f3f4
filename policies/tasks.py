from celery import shared_task

from policies import services
from policies.models import Announcement


@shared_task(acks_late=True)
def announcement_email(announcement_id: int) -> None:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is not None:
        announcement.send_email()


@shared_task
def sweep_announcement_emails() -> int:
    return services.announcement_emails_sweep()
