from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("library/share-links/", views.links, name="links"),
    path("library/share-links/new/", views.create, name="create"),
    path("library/share-links/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("share/<slug:secret>/", views.shared, name="shared"),
    path("share/<slug:secret>/<slug:slug>/original/", views.original, name="original"),
    path("share/<slug:secret>/<slug:slug>/sizes/<slug:preset>/", views.rendition, name="rendition"),
]
