"""What the engine gives back, and the errors it raises."""

from dataclasses import dataclass


class RenderError(Exception):
    """The source could not be decoded at all (every preset would fail)."""


class UnsafeSVG(RenderError, ValueError):
    """The SVG cannot be parsed safely (malformed, DTD/entities, not an <svg> document).

    Also a RenderError, so a caller rendering a stored file handles it like any undecodable
    source instead of retrying it.
    """


@dataclass(frozen=True)
class RenderedImage:
    slug: str
    data: bytes
    width: int
    height: int
    format: str
    low_resolution: bool
    # A small copy for the portal's own pages (platform mocks), in ``display_format``; None
    # when the file itself is light enough to show (and for the internal presets).
    display: bytes | None = None
    display_format: str = ""


@dataclass(frozen=True)
class RenderFailure:
    slug: str
    reason: str


RenderResult = RenderedImage | RenderFailure
