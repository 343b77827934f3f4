"""The employee's kit in Chromium, with every request of each journey recorded.

What a person types or picks (a photo, a name, a job title) must never leave the device: the
tests type a sentinel and search every request's address and body for it.
"""

import io
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from assets.models import Asset
from assets.renditions.platforms import load_platforms
from assets.services import renditions_request
from tests.assets.imagegen import frame_overlay, logo, picture, to_bytes
from tests.factories import make_announcement, make_asset

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SENTINEL_NAME = "Quintessa Vandersloot"
SENTINEL_TITLE = "Chief Sentinel Officer"
RING = (200, 40, 90)
PHOTO_COLOUR = (30, 160, 60)


def recorded(context) -> list:
    requests = []
    context.on("request", lambda request: requests.append(request))
    return requests


def assert_nothing_left(requests, portal: str, *secrets: bytes) -> None:
    for request in requests:
        address = urlsplit(request.url)
        # blob: and data: addresses are read inside the browser and never cross the network.
        assert address.scheme in ("blob", "data") or address.netloc == portal, request.url
        sent = request.url.encode() + (request.post_data_buffer or b"")
        for secret in secrets:
            assert secret not in sent, request.url


def own_photo(format: str = "PNG") -> bytes:
    return to_bytes(Image.new("RGB", (600, 400), PHOTO_COLOUR), format).getvalue()


def near(pixel, colour, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


@pytest.fixture
def frame(marketer) -> Asset:
    return make_asset(
        title="Spring frame",
        kind=Asset.Kind.FRAME,
        filename="spring-frame.png",
        data=to_bytes(frame_overlay(1024, hole=0.7, colour=RING), "PNG").getvalue(),
        uploaded_by=marketer,
    )


@pytest.fixture
def banner_art() -> Asset:
    return make_asset(
        title="Campaign banner",
        kind=Asset.Kind.ILLUSTRATION,
        data=to_bytes(picture(3168, 792), "JPEG", quality=85).getvalue(),
    )


def test_an_employee_puts_their_photo_under_a_marketers_frame_and_nothing_leaves_the_device(
    browser_as, employee, frame, live_server, screenshot
):
    photo = own_photo()
    context = browser_as(employee, viewport={"width": 1200, "height": 900})
    requests = recorded(context)
    page = context.new_page()
    page.goto(frame.get_absolute_url())
    page.get_by_role("heading", name="Put the frame on your own photo").click()
    tool = page.locator("[data-frame-tool]")
    expect(tool).to_have_attribute("data-ready", "")
    # The hole is found from the overlay's alpha: 70% of the width, centred.
    left, top, width, height = map(int, tool.get_attribute("data-hole").split(","))
    assert abs(left - 154) <= 16 and abs(top - 154) <= 16
    assert abs(width - 717) <= 24 and abs(height - 717) <= 24

    page.get_by_label("Your photo", exact=True).set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": photo}]
    )
    expect(page.get_by_role("slider", name="Zoom")).to_be_enabled()
    screenshot(page, "frame-overlay", page.locator("[data-frame-tool]"))
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save as PNG").click()
    framed_bytes = Path(saved.value.path()).read_bytes()

    framed = Image.open(io.BytesIO(framed_bytes)).convert("RGB")
    assert framed.size == (1024, 1024)
    assert near(framed.getpixel((512, 512)), PHOTO_COLOUR)  # the photo, through the hole
    assert near(framed.getpixel((512, 60)), RING)  # the marketer's ring, over it
    assert near(framed.getpixel((60, 512)), RING)
    assert_nothing_left(requests, urlsplit(live_server.url).netloc, photo, framed_bytes)
    assert not [r for r in requests if r.method != "GET" and not _token_batch(r)]


def test_a_heic_photo_from_an_iphone_opens_in_the_frame(browser_as, employee, frame, live_server):
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    heic = to_bytes(Image.new("RGB", (640, 480), PHOTO_COLOUR), "HEIF", quality=90).getvalue()
    context = browser_as(employee, viewport={"width": 1200, "height": 900})
    requests = recorded(context)
    page = context.new_page()
    page.goto(frame.get_absolute_url())
    page.get_by_role("heading", name="Put the frame on your own photo").click()
    expect(page.locator("[data-frame-tool]")).to_have_attribute("data-ready", "")
    page.get_by_label("Your photo", exact=True).set_input_files(
        files=[{"name": "IMG_0042.HEIC", "mimeType": "image/heic", "buffer": heic}]
    )
    expect(page.locator(".frame-status")).to_have_text(
        "Your iPhone photo is in the frame. Move and zoom it, then save.", timeout=30_000
    )
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save as PNG").click()
    framed = Image.open(saved.value.path()).convert("RGB")
    assert near(framed.getpixel((512, 512)), PHOTO_COLOUR, tolerance=12)
    # The decoder came from the portal itself; the photo went nowhere.
    assert any(urlsplit(r.url).path.endswith("heic-to.csp.min.js") for r in requests)
    assert_nothing_left(requests, urlsplit(live_server.url).netloc, heic)


def test_a_logos_ring_carries_the_mark_and_the_ring_text(
    browser_as, employee, live_server, screenshot
):
    mark = make_asset(
        title="Wordmark",
        kind=Asset.Kind.LOGO,
        filename="wordmark.png",
        data=to_bytes(logo(600, 300), "PNG").getvalue(),
        background="#0b2545",
        ring_text="Spring sailings",
    )
    renditions_request(asset=mark)  # the background is part of every file's recipe
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(mark.get_absolute_url())
    page.get_by_role("heading", name="Put the frame on your own photo").click()
    expect(page.locator("[data-frame-tool]")).to_have_attribute("data-ready", "")
    page.get_by_label("Your photo", exact=True).set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": own_photo()}]
    )
    with page.expect_download() as saved:
        page.get_by_role("button", name="Save as PNG").click()
    framed = Image.open(saved.value.path()).convert("RGB")
    assert near(framed.getpixel((512, 8)), (0x0B, 0x25, 0x45), tolerance=40)  # the ring
    # The ring text is drawn in white on the navy ring, across the top.
    top = framed.crop((300, 0, 724, 100))
    assert sum(1 for pixel in top.get_flattened_data() if min(pixel) > 200) > 300
    # The mark sits in a white badge low in the circle, large enough to read at 200 px:
    # at 200 px the badge's coloured pixels (the logo's blue disc) span at least 30 px.
    small = framed.resize((200, 200), Image.Resampling.LANCZOS)
    blue = [
        x
        for x in range(200)
        for y in range(120, 200)
        if near(small.getpixel((x, y)), (0, 90, 200), 60)
    ]
    assert blue and max(blue) - min(blue) >= 30
    assert near(framed.getpixel((512, 400)), PHOTO_COLOUR)  # the face area stays clear
    screenshot(page, "profile-ring", page.locator("[data-frame-tool]"))


def test_the_copied_signature_shows_its_linked_banner_in_mail_read_without_the_portal_cookie(
    browser_as, chromium, employee, banner_art, live_server, screenshot
):
    banner_art.signature_link = "https://example.com/spring"
    banner_art.save()
    context = browser_as(employee, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(banner_art.get_absolute_url())
    page.get_by_role("heading", name="Make your email signature").click()
    tool = page.locator("#signature-tool")
    tool.get_by_label("Your name").fill("Ada Lovelace")
    tool.get_by_label("Company (optional)").fill("Harbour Lines")
    tool.get_by_label("Email (optional)").fill("ada@example.com")
    tool.get_by_label("Website (optional)").fill("harbour.example.com")
    with page.expect_download() as signature:
        page.get_by_role("button", name="Download .html").click()
    copied = Path(signature.value.path()).read_text()
    # The page's CSP refuses inline style attributes; the preview must not need any.
    assert [text for text in refused if "Content Security Policy" in text] == []
    screenshot(page, "signature", tool)

    # A mail reader: another browser with no portal cookie, opening what was copied.
    mail = chromium.new_context()
    reader = mail.new_page()
    reader.set_content(copied, wait_until="load")
    banner = reader.locator("img")
    assert banner.evaluate("image => image.complete && image.naturalWidth") == 1200
    assert banner.evaluate("image => image.closest('a').href") == "https://example.com/spring"
    assert reader.get_by_role("link", name="ada@example.com").get_attribute("href") == (
        "mailto:ada@example.com"
    )
    website = reader.get_by_role("link", name="harbour.example.com").get_attribute("href")
    assert website == "https://harbour.example.com/"
    assert "font-size: 16px" in copied  # the styles travel inline, as mail needs them
    mail.close()


def test_names_typed_into_the_banner_and_signature_tools_never_leave_the_device(
    browser_as, employee, banner_art, live_server, screenshot
):
    context = browser_as(employee, viewport={"width": 1200, "height": 900})
    requests = recorded(context)
    page = context.new_page()
    page.goto(banner_art.get_absolute_url())

    page.locator("#platform-linkedin").get_by_role("link", name="Add your name").click()
    personal_tool = page.locator("#personal-tool")
    expect(personal_tool.get_by_label("File")).to_have_value("linkedin-banner")
    personal_tool.get_by_label("Your name").fill(SENTINEL_NAME)
    personal_tool.get_by_label("Job title, or any text").fill(SENTINEL_TITLE)
    with page.expect_download() as saved:
        personal_tool.get_by_role("button", name="Save the file").click()
    assert (
        saved.value.suggested_filename
        == "Campaign banner - LinkedIn - banner - 1584x396 - personal.jpg"
    )
    personal = Image.open(saved.value.path()).convert("RGB")
    assert personal.size == (1584, 396)
    plain_row = banner_art.current_renditions().get(preset="linkedin-banner")
    with plain_row.file.open("rb") as file:
        plain = Image.open(file).convert("RGB")
    # The text went into the bottom of the safe zone (x 35–95%, y 10–90%), nowhere else.
    zone = (int(0.35 * 1584), int(0.55 * 396), int(0.95 * 1584), int(0.9 * 396))
    assert _changed(personal.crop(zone), plain.crop(zone)) > 0.02
    assert _changed(personal.crop((0, 0, 400, 396)), plain.crop((0, 0, 400, 396))) < 0.01

    page.get_by_role("heading", name="Make your email signature").click()
    signature_tool = page.locator("#signature-tool")
    signature_tool.get_by_label("Your name").fill(SENTINEL_NAME)
    signature_tool.get_by_label("Job title").fill(SENTINEL_TITLE)
    signature_tool.get_by_label("Pronouns (optional)").fill("they/them")
    preview = page.locator("[data-signature-preview]").first
    expect(preview).to_contain_text(SENTINEL_NAME)
    expect(page.locator(".signature-preview.is-dark")).to_contain_text(SENTINEL_TITLE)
    with page.expect_download() as signature:
        page.get_by_role("button", name="Download .html").click()
    html = Path(signature.value.path()).read_text()
    assert SENTINEL_NAME in html and "(they/them)" in html
    address = f"{live_server.url}/assets/{banner_art.slug}/signature-image/"
    assert f'src="{address}"' in html

    secrets = [SENTINEL_NAME, SENTINEL_TITLE, "Quintessa", "Vandersloot"]
    encoded = [
        form
        for text in secrets
        for form in (
            text.encode(),
            text.replace(" ", "+").encode(),
            text.replace(" ", "%20").encode(),
        )
    ]
    assert_nothing_left(requests, urlsplit(live_server.url).netloc, *encoded)
    assert not [r for r in requests if r.method != "GET" and not _token_batch(r)]


def _token_batch(request) -> bool:
    # Every signed-in page fetches the week's anonymous tokens: blinded points, checked
    # above like every body to hold none of the person's photo or text.
    return urlsplit(request.url).path == "/tokens/issue/"


def _changed(one: Image.Image, other: Image.Image) -> float:
    """The share of pixels that differ clearly between two same-size images."""
    pairs = zip(one.get_flattened_data(), other.get_flattened_data(), strict=True)
    return sum(1 for a, b in pairs if max(abs(x - y) for x, y in zip(a, b, strict=True)) > 60) / (
        one.width * one.height
    )


def test_each_platform_links_to_its_settings_page_and_shows_its_steps(
    browser_as, employee, banner_art
):
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(banner_art.get_absolute_url())
    for platform in load_platforms():
        card = page.locator(f"#platform-{platform.slug}")
        expect(card.get_by_role("heading", level=3)).to_have_text(platform.name)
        if platform.link:
            link = card.get_by_role("link", name=platform.link.label)
            expect(link).to_have_attribute("href", platform.link.url)
            # Opens apart from the portal and tells the platform nothing about it.
            expect(link).to_have_attribute("rel", "noopener noreferrer")
        steps = card.locator("details.steps").first
        steps.locator("summary").click()
        expect(steps.locator("li")).to_have_text(list(platform.slots[0].steps))


def test_the_zip_from_the_page_has_folders_peoples_names_and_a_readme(
    browser_as, employee, banner_art
):
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(banner_art.get_absolute_url())
    with page.expect_download() as saved:
        page.get_by_role("link", name="Every platform (ZIP)").click()
    assert saved.value.suggested_filename == "Campaign banner - every platform.zip"
    archive = zipfile.ZipFile(saved.value.path())
    names = archive.namelist()
    assert "Bluesky/Campaign banner - Bluesky - banner - 3000x1000.jpg" in names
    assert "Mastodon/Campaign banner - Mastodon - header - 3000x1000.jpg" in names
    readme = archive.read("README.txt").decode()
    assert "Campaign banner - Bluesky - banner - 3000x1000.jpg" in readme
    assert "Using any of these files is your choice" in readme


PHONE = {"width": 390, "height": 844}


def test_nothing_is_wider_than_a_phone_for_employees(browser_as, employee, frame, banner_art):
    make_announcement(
        title="Spring sailings frames and banners for everybody who would like one, in every size"
    ).publish()
    page = browser_as(employee, viewport=PHONE).new_page()
    for address in ["/", frame.get_absolute_url(), banner_art.get_absolute_url(), "/policies/"]:
        page.goto(address)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, address
    page.goto("/")
    # Every line box of the title's text, against the Close link's box.
    overlaps = page.evaluate(
        """() => {
            const title = document.querySelector(".announcement h2");
            const close = document.querySelector(".announcement .dismiss").getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(title);
            return [...range.getClientRects()].some(line =>
                line.right > close.left && line.left < close.right &&
                line.bottom > close.top && line.top < close.bottom);
        }"""
    )
    assert not overlaps, "the long title runs under its Close link"


def test_nothing_is_wider_than_a_phone_for_marketing(browser_as, marketer, banner_art):
    page = browser_as(marketer, viewport=PHONE).new_page()
    edit = f"/library/{banner_art.slug}/edit/"
    for address in ["/library/", "/library/upload/", edit, banner_art.get_absolute_url()]:
        page.goto(address)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390, address
    page.goto(edit)
    expect(page.locator("[data-focal-picker]")).to_be_visible()
    assert page.locator("[data-focal-picker]").bounding_box()["width"] <= 390


def _box(locator) -> dict:
    box = locator.bounding_box()
    assert box, "not shown"
    return box


def _luminance(pixel) -> float:
    return 0.2126 * pixel[0] + 0.7152 * pixel[1] + 0.0722 * pixel[2]


def test_each_file_is_shown_in_a_sketch_of_its_slot_with_an_edge_on_light_and_dark(
    browser_as, employee, screenshot
):
    white = make_asset(
        title="White wordmark",
        kind=Asset.Kind.LOGO,
        filename="wordmark.png",
        data=to_bytes(logo(600, 300), "PNG").getvalue(),
        background="#ffffff",
    )
    renditions_request(asset=white)
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(white.get_absolute_url())

    # A banner sits behind a profile, the round photo overlapping its bottom-left.
    banner = page.locator('#platform-linkedin .slot[data-preset="linkedin-banner"] .slot-shot')
    file, face = _box(banner.locator(".mock-file")), _box(banner.locator(".mock-face"))
    assert face["y"] < file["y"] + file["height"] < face["y"] + face["height"]
    assert file["x"] <= face["x"] < file["x"] + file["width"] * 0.25
    # The white banner on the white profile still shows where it ends: an edge runs round it.
    banner.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    shot = Image.open(io.BytesIO(banner.screenshot())).convert("RGB")
    shot_box, file = _box(banner), _box(banner.locator(".mock-file"))
    middle, top = int(file["x"] - shot_box["x"] + 10), round(file["y"] - shot_box["y"])
    assert _luminance(shot.getpixel((middle, top + 3))) > 240  # the file is white there
    edge = min(_luminance(shot.getpixel((middle, y))) for y in range(top - 3, top + 2))
    assert edge < 200

    # A call background has someone in front of it; a profile photo is round.
    call = page.locator("#platform-zoom .slot-shot")
    file, caller = _box(call.locator(".mock-file")), _box(call.locator(".mock-caller"))
    assert file["x"] < caller["x"] < caller["x"] + caller["width"] < file["x"] + file["width"]
    assert caller["y"] + caller["height"] == pytest.approx(file["y"] + file["height"], abs=1)
    avatar = page.locator("#platform-instagram .mock-file")
    assert avatar.evaluate("node => getComputedStyle(node).borderRadius") == "50%"

    # On dark, the stage around the round photo turns dark and the edge is light.
    corner = page.locator("#platform-instagram .slot-shot")
    light = Image.open(io.BytesIO(corner.screenshot())).convert("RGB").getpixel((3, 3))
    page.get_by_label("Show on dark").check()
    dark = Image.open(io.BytesIO(corner.screenshot())).convert("RGB").getpixel((3, 3))
    assert _luminance(light) > 200 and _luminance(dark) < 40
    page.locator("#platform-linkedin").evaluate("card => card.scrollIntoView()")
    screenshot(page, "previews-dark", page.locator(".platform-grid"))


TEXT_BOX = {"x": 0.4, "y": 0.6, "w": 0.5, "h": 0.3}
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausen-Ode"  # 40 characters


def _personal_banner(page, name: str, title: str) -> Image.Image:
    tool = page.locator("#personal-tool")
    tool.get_by_label("Your name").fill(name)
    tool.get_by_label("Job title, or any text").fill(title)
    with page.expect_download() as saved:
        tool.get_by_role("button", name="Save the file").click()
    return Image.open(saved.value.path()).convert("RGB")


def _outside(image: Image.Image, box: tuple[int, int, int, int]) -> list[Image.Image]:
    left, top, right, bottom = box
    width, height = image.size
    return [
        image.crop((0, 0, width, top)),
        image.crop((0, bottom, width, height)),
        image.crop((0, top, left, bottom)),
        image.crop((right, top, width, bottom)),
    ]


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (LONG_NAME, "Senior Harbour Operations Coordinator, North"),
        ("ليلى عبد الرحمن", "מנהלת תפעול נמל"),
    ],
    ids=["forty-characters", "arabic-and-hebrew"],
)
def test_a_name_stays_inside_marketings_text_box_however_long_or_right_to_left(
    browser_as, employee, banner_art, name, title, screenshot
):
    assert len(LONG_NAME) == 40
    banner_art.text_box = TEXT_BOX
    banner_art.save()
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(banner_art.get_absolute_url())
    page.locator("#platform-linkedin").get_by_role("link", name="Add your name").click()
    # Saved once without text: the same drawing and encoding, so any difference is the text.
    plain = _personal_banner(page, "", "")
    personal = _personal_banner(page, name, title)
    width, height = plain.size
    box = (
        round(TEXT_BOX["x"] * width),
        round(TEXT_BOX["y"] * height),
        round((TEXT_BOX["x"] + TEXT_BOX["w"]) * width),
        round((TEXT_BOX["y"] + TEXT_BOX["h"]) * height),
    )
    assert _changed(personal.crop(box), plain.crop(box)) > 0.01  # the text is there
    # A JPEG: its 8x8 blocks astride the box's edge may ring a little.
    block = (box[0] - 8, box[1] - 8, box[2] + 8, box[3] + 8)
    for part, before in zip(_outside(personal, block), _outside(plain, block), strict=True):
        assert _changed(part, before) == 0  # and nowhere else
    if name == LONG_NAME:
        screenshot(page, "personal-banner", page.locator("#personal-tool"))


def test_a_text_colour_that_would_not_read_on_the_artwork_switches_to_the_brands_light_one(
    browser_as, employee
):
    navy = make_asset(
        title="Navy banner",
        kind=Asset.Kind.ILLUSTRATION,
        data=to_bytes(Image.new("RGB", (3168, 792), (11, 37, 69)), "JPEG").getvalue(),
        text_box=TEXT_BOX,
        text_colour="#1d2330",  # dark on navy: about 1.2:1
        text_light_colour="#fff4d0",
    )
    page = browser_as(employee, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(navy.get_absolute_url())
    page.locator("#platform-linkedin").get_by_role("link", name="Add your name").click()
    personal = _personal_banner(page, "Ada Lovelace", "Engineer")
    inside = personal.crop((640, 240, 1420, 380)).get_flattened_data()
    light = [pixel for pixel in inside if near(pixel, (0xFF, 0xF4, 0xD0), tolerance=30)]
    assert len(light) > 500
