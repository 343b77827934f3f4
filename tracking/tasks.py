from celery import shared_task

from tracking.services import releases_prune, weeks_release
from tracking.tally import log_compact, published_refresh


@shared_task
def prune_counts() -> int:
    return releases_prune()


@shared_task
def release_closed_weeks() -> int:
    """Hourly: publish each week once soon after it closes, and keep Redis tidy.

    The list of countable artworks is rebuilt too, in case a change to an artwork
    happened while Redis was away. Each push already has the append-only file
    rewritten; this rewrite covers a process killed between its push and that.
    """
    released = weeks_release()
    published_refresh()
    log_compact()
    return len(released)
