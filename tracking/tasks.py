from celery import shared_task

from tracking.services import WINDOWS, closed_weeks, counts_prune, uptake_releases


@shared_task
def prune_counts() -> int:
    return counts_prune()


@shared_task
def release_closed_weeks() -> None:
    """Suppress each week once, soon after it closes, so no reader waits for it."""
    uptake_releases(weeks=closed_weeks(count=max(WINDOWS)))
