"""An employee in Chromium: browse, filter, frame their own photo, download; on a phone too.

The photo must never leave the device: every request of the journey is recorded and checked.
"""

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_counting import OPT_IN

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GREEN, BLUE = (30, 160, 60), (40, 90, 200)
SIZE = 1024  # the avatar frame's size, and so the saved PNG's


def own_photo() -> bytes:
    """A 600×400 photo, green on the left half and blue on the right: moves are easy to see."""
    image = Image.new("RGB", (600, 400), BLUE)
    image.paste(GREEN, (0, 0, 300, 400))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def near(pixel, colour, tolerance: int = 3) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def test_an_employee_frames_their_own_photo_and_it_never_leaves_the_device(
    browser_as, employee, library, live_server, screenshot
):
    photo = own_photo()
    context = browser_as(employee, viewport={"width": 1200, "height": 820})
    requests = []
    context.on("request", lambda request: requests.append(request))
    page = context.new_page()

    page.goto("/")
    screenshot(page, "home")
    # Each option says how many it shows, as the employee sees it.
    page.get_by_label("Collection").select_option(label="Profile frames (1)")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".asset-card")).to_have_count(1)
    page.get_by_role("link", name="Harbour at dawn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour at dawn")
    page.get_by_label("Show safe zone").check()
    expect(page.locator(".safe-zone").first).to_be_visible()
    page.get_by_role("heading", name="Use it on each platform").evaluate("h => h.scrollIntoView()")
    screenshot(page, "asset-page")

    # The tool opens from the LinkedIn profile-photo slot. At zoom 1 the photo covers the
    # ring's hole, its green/blue edge on the centre line.
    page.locator("#platform-linkedin").get_by_role("link", name="Use it with your photo").click()
    page.get_by_label("Your photo", exact=True).set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": photo}]
    )
    expect(page.get_by_role("slider", name="Zoom")).to_be_enabled()
    # Keyboard: back from the file input to the picture, then Shift+Right twice (2 × 64 px).
    page.get_by_label("Your photo", exact=True).focus()
    page.keyboard.press("Shift+Tab")
    canvas = page.locator(".frame-canvas")
    expect(canvas).to_be_focused()
    assert canvas.evaluate("element => getComputedStyle(element).outlineStyle") != "none"
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    # Pointer: drag back left by 64 canvas pixels, so the edge ends 64 px right of the centre.
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 64 * box["width"] / SIZE, y, steps=4)
    page.mouse.up()
    page.get_by_role("heading", name="Put the frame on your own photo").evaluate(
        "heading => heading.scrollIntoView()"
    )
    screenshot(page, "profile-frame")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save as PNG").click()
    framed_bytes = Path(saved.value.path()).read_bytes()
    assert saved.value.suggested_filename == "Harbour at dawn - profile photo - framed.png"

    framed = Image.open(io.BytesIO(framed_bytes)).convert("RGB")
    assert framed.size == (SIZE, SIZE)
    overlay_row = library["photo"].current_renditions().get(preset="avatar-frame")
    with overlay_row.file.open("rb") as file:
        overlay = Image.open(file).convert("RGBA")
    for point in [(SIZE // 2, 20), (20, SIZE // 2), (SIZE - 40, SIZE // 2)]:  # on the ring
        assert overlay.getpixel(point)[3] == 255
        assert near(framed.getpixel(point), overlay.getpixel(point)[:3]), point
    assert near(framed.getpixel((SIZE // 2, SIZE // 2)), GREEN)  # the photo, moved right
    assert near(framed.getpixel((SIZE // 2 + 100, SIZE // 2)), BLUE)

    # The opt-in count is on; its request leaves seconds later and must carry no photo either.
    page.get_by_label(OPT_IN).check()
    with page.expect_download() as banner:
        page.locator('#platform-linkedin a[data-count-preset="linkedin-banner"]').click()
    assert banner.value.suggested_filename == "Harbour at dawn - LinkedIn - banner - 1584x396.jpg"

    portal = urlsplit(live_server.url).netloc
    for request in requests:
        address = urlsplit(request.url)
        # blob: and data: addresses are read inside the browser and never cross the network.
        assert address.scheme in ("blob", "data") or address.netloc == portal, request.url
        body = request.post_data_buffer or b""
        assert photo not in body and framed_bytes not in body, request.url
        assert b"data:image" not in body, request.url
    assert any(urlsplit(r.url).path.endswith("/sizes/avatar-frame/") for r in requests)


@pytest.mark.parametrize("page_name", ["home", "asset"])
def test_pages_fit_a_phone_screen(browser_as, employee, library, page_name):
    page = browser_as(employee, viewport={"width": 375, "height": 740}).new_page()
    page.goto("/" if page_name == "home" else library["photo"].get_absolute_url())
    page.wait_for_load_state("load")
    expect(page.locator("main")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
