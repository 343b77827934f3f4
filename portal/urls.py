from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # First: the count endpoint is the busiest URL, and Django tries the patterns in order.
    path("", include("tracking.urls")),
    path("", include("privacypass.urls")),
    # Next: the proxy asks these every few seconds on every node.
    path("", include("ops.urls")),
    path("", include("assets.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("policies.urls")),
    path("", include("guidelines.urls")),
    path("", include("sharing.urls")),
    path("api/v1/", include("assets.api")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
