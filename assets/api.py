"""The read-only JSON API: published assets for signed-in users and API tokens.

Every link in it is absolute, and every one of them works for the token that read it.
"""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, pagination, permissions, serializers

from assets.models import Asset, Rendition
from assets.renditions.presets import platform_presets
from assets.search import index_first, search_for


class CanViewAssets(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("assets.view_asset")


class SizeSerializer(serializers.Serializer):
    """One platform size that is ready to download."""

    preset = serializers.CharField(source="preset.slug")
    platform = serializers.CharField(source="preset.platform")
    slot = serializers.CharField(source="preset.slot")
    width = serializers.IntegerField(source="made.width")
    height = serializers.IntegerField(source="made.height")
    format = serializers.CharField(source="made.format")
    byte_size = serializers.IntegerField(source="made.byte_size")
    download = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, size: dict) -> str:
        url = reverse("assets:rendition", args=[size["made"].asset.slug, size["preset"].slug])
        return self.context["request"].build_absolute_uri(url)


def _absolute(view_name: str):
    """A read-only field holding the absolute URL of `view_name` for the asset's slug."""

    @extend_schema_field(OpenApiTypes.URI)
    class Link(serializers.Field):
        def __init__(self, **kwargs) -> None:
            super().__init__(source="slug", read_only=True, **kwargs)

        def to_representation(self, slug: str) -> str:
            return self.context["request"].build_absolute_uri(reverse(view_name, args=[slug]))

    return Link()


class AssetSerializer(serializers.ModelSerializer):
    url = _absolute("api:asset-detail")
    page = _absolute("assets:detail")
    original = _absolute("assets:original")
    preview = _absolute("assets:preview")
    all_sizes = _absolute("assets:rendition-zip")
    collection = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    sizes = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = [
            "url",
            "slug",
            "title",
            "description",
            "usage_notes",
            "collection",
            "tags",
            "kind",
            "format",
            "width",
            "height",
            "byte_size",
            "focal_x",
            "focal_y",
            "available_until",
            "updated_at",
            "page",
            "original",
            "preview",
            "all_sizes",
            "sizes",
        ]

    @extend_schema_field(SizeSerializer(many=True))
    def get_sizes(self, asset: Asset) -> list[dict]:
        """The ready platform sizes of the asset as it is now, in the presets' order."""
        made = {rendition.source_key: rendition for rendition in asset.ready_renditions}
        sizes = [
            {"preset": preset, "made": made[asset.rendition_key(preset)]}
            for preset in platform_presets(asset.kind)
            if asset.rendition_key(preset) in made
        ]
        return SizeSerializer(sizes, many=True, context=self.context).data


ERROR = inline_serializer("Error", {"detail": serializers.CharField()})


class PublishedAssets:
    serializer_class = AssetSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewAssets]
    lookup_field = "slug"

    def get_queryset(self):
        ready = Rendition.objects.filter(status=Rendition.Status.READY)
        return (
            Asset.objects.published()
            .select_related("collection")
            .prefetch_related("tags", Prefetch("renditions", ready, to_attr="ready_renditions"))
        )


class Pages(pagination.PageNumberPagination):
    def get_page_number(self, request, paginator) -> str:
        # DRF reads an empty ?page= as page 1; the schema says a page is a number, so it is
        # refused (404) like any other page that is not one.
        number = request.query_params.get(self.page_query_param)
        return "1" if number is None else number or "none"


SEARCH = OpenApiParameter(
    "q",
    str,
    description='Words to search for, as on the portal\'s home page ("a phrase", -word, or); '
    "the best match comes first.",
)


@extend_schema(
    parameters=[SEARCH], responses={200: AssetSerializer(many=True), 403: ERROR, 404: ERROR}
)
class AssetList(PublishedAssets, generics.ListAPIView):
    pagination_class = Pages

    def search_text(self) -> str:
        # As the home page's search box takes it: 100 characters, no NUL (PostgreSQL refuses it).
        return self.request.query_params.get("q", "").replace("\x00", "").strip()[:100]

    def list(self, request, *args, **kwargs):
        if not self.search_text():
            return super().list(request, *args, **kwargs)
        # The home page's planning for a search: a broad query asks the GIN index, not every row.
        with index_first(using=Asset.objects.db):
            return super().list(request, *args, **kwargs)

    def get_queryset(self):
        assets = super().get_queryset()
        text = self.search_text()
        if not text:
            return assets
        return search_for(text, within=assets).ranked(assets)


@extend_schema(responses={200: AssetSerializer, 403: ERROR, 404: ERROR})
class AssetDetail(PublishedAssets, generics.RetrieveAPIView):
    pass


app_name = "api"

# Token clients cannot sign in through the login page, so DRF checks them instead.
urlpatterns = [
    path("assets/", login_not_required(AssetList.as_view()), name="asset-list"),
    path("assets/<slug:slug>/", login_not_required(AssetDetail.as_view()), name="asset-detail"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
]
