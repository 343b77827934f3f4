"""Review for collections that require it: marketing submits, a brand lead decides.

Nothing here reaches employees: no message, no mail, no mark on the pages they see.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from assets.models import Asset, Review
from assets.services import ReviewRefused, asset_review_decide, asset_review_submit


@require_safe
@role_required("assets.review_asset")
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for a brand lead: drafts whose current version was submitted last."""
    waiting = Asset.objects.with_review_state().filter(
        status=Asset.Status.DRAFT,
        collection__requires_review=True,
        review_now=Review.Action.SUBMITTED,
    )
    waiting = waiting.select_related("collection").order_by("title")
    return render(request, "assets/review_queue.html", {"waiting": waiting})


@require_POST
@role_required("assets.change_asset")
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.select_related("collection"), slug=slug)
    try:
        review = asset_review_submit(asset=asset, by=request.user)
    except ReviewRefused as refusal:
        messages.error(request, _("Not submitted: %(reason)s.") % {"reason": refusal})
    else:
        # With no one to approve it, the page says why rather than promise a brand lead.
        if review.may_be_approved:
            messages.success(request, _("Submitted: a brand lead approves it or sends it back."))
        else:
            messages.success(request, _("Submitted for review."))
    return redirect(asset)


@require_POST
@role_required("assets.review_asset")
def decide(request: HttpRequest, slug: str, *, approve: bool) -> HttpResponse:
    asset = get_object_or_404(Asset, slug=slug)
    comment = request.POST.get("comment", "")[:2000]
    try:
        asset_review_decide(asset=asset, by=request.user, approve=approve, comment=comment)
    except ReviewRefused as refusal:
        messages.error(request, _("Nothing changed: %(reason)s.") % {"reason": refusal})
    else:
        done = _("Approved: marketing may publish it.") if approve else _("Sent back.")
        messages.success(request, done)
    return redirect(asset)
