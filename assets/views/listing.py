"""One page of artwork cards with the filters: the home page and marketing's library."""

from contextlib import nullcontext

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render

from assets.forms import AssetFilterForm
from assets.models import Asset, Rendition
from assets.search import DOCUMENT_FIELDS, index_first

PAGE_SIZE = 24


def listing_page(
    request: HttpRequest,
    assets: QuerySet[Asset],
    template: str,
    *,
    order_by: tuple[str, ...] = ("-created_at", "-id"),
    with_status: bool = False,
    **context,
) -> HttpResponse:
    """``assets`` filtered, searched and counted per facet; a search orders by its ranking."""
    everything = request.user.has_perm("assets.change_asset")
    filters = AssetFilterForm(
        request.GET, assets=assets, names_from_assets=not everything, with_status=with_status
    )
    with index_first(using=assets.db) if filters.searching else nullcontext():
        return _listing_page(request, filters, template, order_by=order_by, **context)


def _listing_page(
    request: HttpRequest,
    filters: AssetFilterForm,
    template: str,
    *,
    order_by: tuple[str, ...],
    **context,
) -> HttpResponse:
    results = filters.results(order_by=order_by)
    facets, total = filters.counted()
    # The page's ids first, then its cards: a deep page passes over thousands of ids in an
    # index, not over thousands of whole rows.
    pages = Paginator(results.values_list("pk", flat=True), PAGE_SIZE)
    if total is not None:
        # Counted with the facets already: no COUNT(*) of its own (15-20 ms at 10,000).
        pages.count = total
    page = pages.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    # The cards' thumbnails in one query; Asset.served_renditions picks from these.
    thumbnails = Rendition.objects.filter(
        status=Rendition.Status.READY, preset__in=["thumbnail", "thumbnail-2x"]
    )
    cards = (
        results.filter(pk__in=ids)
        .select_related("collection")
        # The documents are for the database to match; in Python each is a kilobyte a card.
        .defer(*DOCUMENT_FIELDS)
        .prefetch_related(Prefetch("renditions", queryset=thumbnails))
    )
    page.object_list = sorted(cards, key=lambda asset: ids.index(asset.pk))
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "filters": filters,
        "facets": facets,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, template, context)
