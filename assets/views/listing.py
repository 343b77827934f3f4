"""One page of artwork cards with the filters: the home page and marketing's library."""

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render

from assets.forms import AssetFilterForm, language_fields
from assets.models import Asset, Rendition

PAGE_SIZE = 24
# What a card shows and what its thumbnails' recipe keys are made of. The other fifty of an
# asset's columns stay in the database: its search documents alone are a kilobyte each, and
# building the rest cost a page of cards a millisecond or two.
CARD_FIELDS = (
    "slug",
    "title",
    *language_fields("title"),
    "status",
    "collection__name",
    *Asset.RECIPE_FIELDS,
)


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
    counted = filters.counted(order_by=order_by, page=request.GET.get("page"), per_page=PAGE_SIZE)
    page = Paginator(range(counted.total), PAGE_SIZE).page(counted.number)
    # The cards' thumbnails in one query; Asset.served_renditions picks from these.
    thumbnails = Rendition.objects.filter(
        status=Rendition.Status.READY, preset__in=["thumbnail", "thumbnail-2x"]
    )
    cards = (
        filters.results(counted.ids)
        .select_related("collection")
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("renditions", queryset=thumbnails))
    )
    # In the order the page's ids came in: a search's ranking is not worked out again.
    place = {pk: number for number, pk in enumerate(counted.ids)}
    page.object_list = sorted(cards, key=lambda asset: place[asset.pk])
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "filters": filters,
        "facets": counted.facets,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, template, context)
