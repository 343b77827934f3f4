"""The read-only JSON API: published assets for signed-in users and API tokens."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics, permissions, serializers

from assets.models import Asset


class CanViewAssets(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("assets.view_asset")


class AssetSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:asset-detail", lookup_field="slug")
    page = serializers.URLField(source="get_absolute_url", read_only=True)
    original = serializers.HyperlinkedIdentityField(
        view_name="assets:original", lookup_field="slug"
    )
    collection = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

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
        ]


class PublishedAssets:
    serializer_class = AssetSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewAssets]
    lookup_field = "slug"

    def get_queryset(self):
        return Asset.objects.published().select_related("collection").prefetch_related("tags")


class AssetList(PublishedAssets, generics.ListAPIView):
    pass


class AssetDetail(PublishedAssets, generics.RetrieveAPIView):
    pass


app_name = "api"

# Token clients cannot sign in through the login page, so DRF checks them instead.
urlpatterns = [
    path("assets/", login_not_required(AssetList.as_view()), name="asset-list"),
    path("assets/<slug:slug>/", login_not_required(AssetDetail.as_view()), name="asset-detail"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
]
