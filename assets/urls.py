from django.urls import path

from assets import views

app_name = "assets"

urlpatterns = [
    path("", views.home, name="home"),
    path("assets/<slug:slug>/", views.detail, name="detail"),
    path("assets/<slug:slug>/original/", views.original, name="original"),
    path("assets/<slug:slug>/preview/", views.preview, name="preview"),
    path("assets/<slug:slug>/preview/<slug:preset>/", views.preview_image, name="preview-image"),
    path("assets/<slug:slug>/sizes/<slug:preset>/", views.rendition, name="rendition"),
    path("assets/<slug:slug>/all-sizes.zip", views.rendition_zip, name="rendition-zip"),
    path("assets/<slug:slug>/signature-image/", views.signature_image, name="signature-image"),
    path("assets/<slug:slug>/sizes.json", views.rendition_status, name="rendition-status"),
    path("library/", views.library, name="library"),
    path("library/upload/", views.upload, name="upload"),
    path("library/<slug:slug>/edit/", views.edit, name="edit"),
    path("library/<slug:slug>/new-version/", views.replace_file, name="replace-file"),
    path(
        "library/<slug:slug>/versions/<int:pk>/restore/",
        views.restore_version,
        name="restore-version",
    ),
    path("library/<slug:slug>/publish/", views.publish, name="publish"),
    path("library/<slug:slug>/archive/", views.archive, name="archive"),
    path("library/<slug:slug>/kind/", views.set_kind, name="set-kind"),
    path("library/<slug:slug>/retry/", views.retry_renditions, name="retry-renditions"),
    path("library/<slug:slug>/delete/", views.delete, name="delete"),
]
