"""What the browser tests share: a small published library and the README screenshots."""

import os
from pathlib import Path

import pytest

from assets.models import Asset, Collection
from tests.assets.imagegen import logo, picture, to_bytes
from tests.factories import make_asset

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def library() -> dict[str, Asset]:
    """Three published assets in two collections, every size made (Celery runs in-process)."""
    frames = Collection.objects.create(name="Profile frames", slug="profile-frames")
    banners = Collection.objects.create(name="Banners", slug="banners")
    return {
        "photo": make_asset(
            title="Harbour at dawn",
            collection=frames,
            data=to_bytes(picture(900, 600), "JPEG", quality=85).getvalue(),
            usage_notes="Fits LinkedIn, X and video calls. Use it if you like it.",
        ),
        "logo": make_asset(
            title="Wordmark",
            kind=Asset.Kind.LOGO,
            collection=banners,
            filename="wordmark.png",
            data=to_bytes(logo(600, 300), "PNG").getvalue(),
        ),
        "team": make_asset(
            title="Team offsite",
            collection=banners,
            data=to_bytes(picture(800, 450), "JPEG", quality=85).getvalue(),
        ),
    }


@pytest.fixture
def screenshot():
    """Save a README screenshot, only with SCREENSHOTS=1 so normal runs leave the files alone."""

    def take(page, name: str, element=None) -> None:
        """The viewport, or only ``element`` (a locator) when given."""
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.wait_for_load_state("networkidle")  # lazy images in view have loaded
            (element or page).screenshot(path=SCREENSHOTS / f"{name}.png")

    return take
