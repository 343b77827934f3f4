from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError

from assets.models import Asset, Rendition
from assets.renditions import rendering
from audit.services import audit_prune

# Worth another try: storage or database hiccups. A bad image is not.
TRANSIENT_ERRORS = (OSError, DatabaseError)


# The tasks keep the names they had before they moved here: queued messages and the
# beat schedule name them.
@shared_task(
    name="assets.tasks.make_renditions",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=Rendition.MAX_ATTEMPTS - 1,
)
def make_renditions(self, asset_id: int) -> None:
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return  # deleted since it was queued
    try:
        rendering.renditions_make(asset=asset)
    except SoftTimeLimitExceeded:
        rendering.renditions_give_up(asset=asset, reason="it took too long")
    except TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            rendering.renditions_give_up(asset=asset, reason=str(error))
            return
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task(name="assets.tasks.sweep_renditions")
def sweep_renditions(older_than: float = 120) -> int:
    """Queue the sizes a changed recipe left missing (``rendering.renditions_heal``), and again
    the assets whose pending renditions nobody has worked on for ``older_than`` seconds.
    Returns how many assets were queued. Called directly, it runs here and now.

    It also archives the artwork whose "usable until" day has passed: the home page hides
    it from that day on already, and archiving shows marketing it is over."""
    for asset in Asset.objects.past_usable_until():
        asset.archive(by=None, why="its usable-until day has passed")
    audit_prune()  # one indexed delete; old entries go within a minute of their time
    later = settings.RENDITIONS_SWEEP_PRIORITY  # behind every upload's sizes
    healed = rendering.renditions_heal()
    for asset_id in healed:
        make_renditions.apply_async_on_commit((asset_id,), priority=later)
    asset_ids = rendering.renditions_unfinished(age=timedelta(seconds=older_than)) - healed
    for asset_id in asset_ids:
        make_renditions.apply_async((asset_id,), priority=later)
    return len(healed) + len(asset_ids)
