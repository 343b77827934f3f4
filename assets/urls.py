from django.urls import path

from assets.views import browse, downloads, library, review

app_name = "assets"

urlpatterns = [
    path("", browse.home, name="home"),
    path("assets/<slug:slug>/", browse.detail, name="detail"),
    path("assets/<slug:slug>/original/", downloads.original, name="original"),
    path("assets/<slug:slug>/preview/", browse.preview, name="preview"),
    path("assets/<slug:slug>/preview/<slug:preset>/", browse.preview_image, name="preview-image"),
    path("assets/<slug:slug>/sizes/<slug:preset>/", downloads.rendition, name="rendition"),
    path("assets/<slug:slug>/all-sizes.zip", downloads.rendition_zip, name="rendition-zip"),
    path("assets/<slug:slug>/signature-image/", downloads.signature_image, name="signature-image"),
    path("assets/<slug:slug>/sizes.json", browse.rendition_status, name="rendition-status"),
    path("library/", library.library, name="library"),
    path("library/upload/", library.upload, name="upload"),
    path("library/<slug:slug>/edit/", library.edit, name="edit"),
    path("library/<slug:slug>/new-version/", library.replace_file, name="replace-file"),
    path(
        "library/<slug:slug>/versions/<int:pk>/restore/",
        library.restore_version,
        name="restore-version",
    ),
    path(
        "library/<slug:slug>/versions/<int:pk>/thumbnail/",
        library.version_thumbnail,
        name="version-thumbnail",
    ),
    path(
        "library/<slug:slug>/versions/<int:pk>/preview/",
        library.version_thumbnail,
        {"preset": "preview"},
        name="version-preview",
    ),
    path("library/<slug:slug>/versions/<int:pk>/file/", library.version_file, name="version-file"),
    path("library/<slug:slug>/versions/<int:pk>/note/", library.version_note, name="version-note"),
    path(
        "library/<slug:slug>/versions/current/note/",
        library.version_note,
        name="current-file-note",
    ),
    path(
        "library/<slug:slug>/versions/compare/", library.compare_versions, name="compare-versions"
    ),
    path("library/<slug:slug>/publish/", library.publish, name="publish"),
    path("library/<slug:slug>/archive/", library.archive, name="archive"),
    path("library/<slug:slug>/kind/", library.set_kind, name="set-kind"),
    path("library/<slug:slug>/retry/", library.retry_renditions, name="retry-renditions"),
    path("library/<slug:slug>/delete/", library.delete, name="delete"),
    path("review/", review.queue, name="review-queue"),
    path("library/<slug:slug>/review/submit/", review.submit, name="review-submit"),
    path(
        "library/<slug:slug>/review/approve/",
        review.decide,
        {"approve": True},
        name="review-approve",
    ),
    path(
        "library/<slug:slug>/review/send-back/",
        review.decide,
        {"approve": False},
        name="review-send-back",
    ),
]
