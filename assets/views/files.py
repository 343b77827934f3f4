"""How a stored file leaves the portal, and what a person sees when it is missing."""

import logging

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage

from assets.models import Asset, Rendition
from assets.services import (
    renditions_remake,
)

logger = logging.getLogger(__name__)

# SVG originals are only ever downloaded, never shown on the portal's origin. HEIC and TIFF
# originals, which browsers do not show, are previewed (like SVG) through a rendered square.
DOWNLOAD_CONTENT_TYPES = {
    **Asset.RASTER_CONTENT_TYPES,
    "HEIF": "image/heic",
    "TIFF": "image/tiff",
    "SVG": "application/octet-stream",
}


def file_response(
    file: FieldFile, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponseBase:
    """The one way a stored file leaves the portal: streamed, or from S3 by a signed link.

    The same URL and response for everyone: nothing in it names who downloads. With
    S3 the web worker only signs a short-lived link; the bucket sends the bytes, as an
    attachment of the right type whatever the object's own metadata says.
    """
    if isinstance(file.storage, S3Storage):
        seconds = settings.DOWNLOAD_URL_SECONDS
        parameters = {
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
        }
        response = redirect(file.storage.url(file.name, parameters=parameters, expire=seconds))
        # Reused by the browser for a while, never past the link's own end.
        response["Cache-Control"] = f"private, max-age={seconds // 2}"
        return response
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
    )
    if inline:
        response["Cache-Control"] = "private, max-age=3600"
    return response


def file_stored(file: FieldFile) -> bool:
    return bool(file.name) and file.storage.exists(file.name)


def sizes_remaking(request: HttpRequest, asset: Asset, missing: list[Rendition]) -> HttpResponse:
    """Sizes whose files are gone: queue them again and say so, rather than fail later."""
    logger.error("%d sizes of asset %s are missing from storage.", len(missing), asset.pk)
    renditions_remake(asset=asset, renditions=missing)
    names = ", ".join(made.preset for made in missing)
    message = (
        f"The file for {names} is missing from storage, so it is being made again. "
        "Please try again in a minute."
    )
    response = file_missing(request, message, status=503)
    response["Retry-After"] = "60"
    return response


def file_missing(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "assets/file_missing.html", {"message": message}, status=status)
