"""One page of artwork cards with the filters: the home page and marketing's library."""

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render

from assets.forms import AssetFilterForm
from assets.models import Asset, Rendition

PAGE_SIZE = 24


def listing_page(
    request: HttpRequest, assets: QuerySet[Asset], template: str, **context
) -> HttpResponse:
    everything = request.user.has_perm("assets.change_asset")
    filters = AssetFilterForm(request.GET, visible=None if everything else assets)
    # The cards' thumbnails in one query; Asset.served_renditions picks from these.
    thumbnails = Rendition.objects.filter(
        status=Rendition.Status.READY, preset__in=["thumbnail", "thumbnail-2x"]
    )
    assets = filters.filter(assets.select_related("collection")).prefetch_related(
        Prefetch("renditions", queryset=thumbnails)
    )
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {"filters": filters, "page": page, "query": query.urlencode()}
    return render(request, template, context)
