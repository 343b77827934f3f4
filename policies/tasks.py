from celery import shared_task

from policies.models import Announcement


@shared_task(acks_late=True)
def announcement_email(announcement_id: int, base_url: str) -> None:
    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is not None:
        announcement.send_email(base_url=base_url)
