"""Upload-time SVG sanitizing: what the library keeps of an uploaded SVG.

Upload validation runs this once, and the sanitized document is what is stored, served and
later rendered; the rendition engine only parses it again (assets/renditions/engine/svg.py).
"""

import re
from xml.etree import ElementTree

from assets.renditions.engine import parse_svg

_UNSAFE_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video"}
_SAFE_DATA_URI = re.compile(r"data:image/(png|jpe?g|webp)[;,]", re.IGNORECASE)
# Fonts embedded in a <style> @font-face, as Illustrator and Figma write them.
_FONT_DATA_URI = re.compile(
    r"data:(font/[a-z0-9.+-]+|application/(x-font-[a-z0-9-]+|font-[a-z0-9-]+|"
    r"vnd\.ms-fontobject|vnd\.ms-opentype|octet-stream))[;,]",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
# What design tools keep for themselves: Inkscape's file paths and layer names, Illustrator's
# private copy of the whole document (hidden layers included), Affinity's layer names. No
# renderer reads them, so they go, as EXIF and XMP go from raster originals.
_EDITOR_NAMESPACES = (
    "{http://www.inkscape.org/namespaces/inkscape}",
    "{http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd}",
    "{http://ns.adobe.com/",
    "{http://www.serif.com/}",
)


def sanitize_svg(data: bytes) -> bytes:
    """Return the SVG without scripts, event handlers or references to anything outside it.

    Raises UnsafeSVG for input that is not well-formed, carries a DTD or entities, or is not an
    ``<svg>`` document (a DOCTYPE with small internal entities is read and dropped). Kept:
    local ``#fragment`` references, embedded PNG/JPEG/WebP images and embedded fonts. Dropped
    too: ``<metadata>`` (authors, licences, software) and design tools' private data.
    """
    root = parse_svg(data)
    _clean_element(root)
    return ElementTree.tostring(root, encoding="unicode").encode()


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or bool(_SAFE_DATA_URI.match(value))


def _safe_css(text: str) -> bool:
    if "@import" in text.lower():
        return False
    return all(
        target.startswith("#") or _SAFE_DATA_URI.match(target) or _FONT_DATA_URI.match(target)
        for target in _CSS_URL.findall(text)
    )


def _clean_element(element: ElementTree.Element) -> None:
    for child in list(element):
        name = _local_name(child.tag) if isinstance(child.tag, str) else ""
        if (
            name in _UNSAFE_ELEMENTS
            or name == "metadata"
            or (isinstance(child.tag, str) and child.tag.startswith(_EDITOR_NAMESPACES))
            or (name == "style" and not _safe_css(child.text or ""))
            or (name in ("set", "animate") and _animates_unsafely(child))
        ):
            element.remove(child)
        else:
            _clean_element(child)
    for attribute, value in list(element.attrib.items()):
        name = _local_name(attribute).lower()
        if (
            attribute.startswith(_EDITOR_NAMESPACES)
            or name.startswith("on")
            or (name == "href" and not _safe_reference(value))
            or ("url(" in value.lower() and not _safe_css(value))
        ):
            del element.attrib[attribute]


def _animates_unsafely(element: ElementTree.Element) -> bool:
    # <set attributeName="href" to="javascript:..."> would bring back what we removed.
    target = element.get("attributeName", "").lower()
    return target.endswith("href") or target.startswith("on")
