from celery import shared_task

from tracking.services import counts_prune


@shared_task
def prune_counts() -> int:
    return counts_prune()
