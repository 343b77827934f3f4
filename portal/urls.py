from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("assets.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("policies.urls")),
    path("", include("tracking.urls")),
    path("", include("guidelines.urls")),
    path("api/v1/", include("assets.api")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
