from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

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
    # The footer's language picker and the JavaScript strings, for the sign-in page too.
    path("language/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
]

handler400 = "portal.views.bad_request"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
