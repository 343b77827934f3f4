"""Marketing in Chromium: drag in files, set a focal point by clicking, watch sizes get made."""

import base64
import json

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from assets.models import Asset, Collection, Rendition
from assets.renditions.engine import plan_preset
from assets.renditions.presets import platform_presets, presets_for
from assets.renditions.rendering import renditions_make
from tests.assets.imagegen import logo, picture, to_bytes
from tests.factories import make_asset

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DROP = """(files) => {
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, { type: file.type }));
  }
  return transfer;
}"""


def dropped(name: str, data: bytes, type: str) -> dict:
    return {"name": name, "data": base64.b64encode(data).decode(), "type": type}


def test_a_marketer_drags_in_files_and_sets_a_focal_point(browser_as, marketer, screenshot):
    page = browser_as(marketer, viewport={"width": 1200, "height": 820}).new_page()
    page.goto("/library/upload/")
    files = [
        dropped("Quay at noon.jpg", to_bytes(picture(900, 600), "JPEG").getvalue(), "image/jpeg"),
        dropped("Badge.png", to_bytes(logo(400, 200), "PNG").getvalue(), "image/png"),
        dropped("notes.png", b"meeting notes, not a picture", "image/png"),
    ]
    zone = page.locator("[data-drop-zone]")
    transfer = page.evaluate_handle(DROP, files)
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(zone).to_have_class("drop-zone is-over")
    zone.dispatch_event("drop", {"dataTransfer": transfer})
    expect(zone).to_contain_text("3 files ready to upload.")
    page.get_by_role("button", name="Upload").click()

    rows = page.locator(".upload-list .result")
    expect(rows).to_have_count(3)
    expect(page.locator(".upload-list .result.pending")).to_have_count(0, timeout=20_000)
    assert [bar.get_attribute("value") for bar in rows.locator("progress").all()] == ["100"] * 3
    expect(rows.nth(0)).to_contain_text("Quay at noon.jpg added.")
    expect(rows.nth(1)).to_contain_text("Badge.png added.")
    expect(rows.nth(2)).to_have_class("result refused")
    expect(rows.nth(2)).to_contain_text("notes.png refused, ")
    assert Asset.objects.count() == 2
    # Each added file's picture, with the kind guessed for it written on it.
    for number, kind in ((0, "Photo (guessed)"), (1, "Logo (guessed)")):
        thumb = rows.nth(number).locator(".upload-thumb")
        expect(thumb.locator("[data-upload-kind]")).to_have_text(kind)
        expect(thumb.locator("img")).to_have_js_property("complete", True)
        assert thumb.locator("img").evaluate("image => image.naturalWidth") > 0
    screenshot(page, "upload")
    rows.nth(1).get_by_label("Kind (guessed)").select_option("illustration")
    # Saving the kind makes the sizes again first, in-process here.
    expect(rows.nth(1).locator("[data-upload-kind]")).to_have_text("Illustration", timeout=30_000)
    rows.nth(1).get_by_label("Kind (guessed)").select_option("logo")
    expect(rows.nth(1).locator("[data-upload-kind]")).to_have_text("Logo", timeout=30_000)

    rows.nth(0).get_by_role("link", name="Open Quay at noon").click()
    page.get_by_role("link", name="Edit").click()
    picker = page.locator("[data-focal-picker]")
    expect(picker).to_be_visible()
    image = picker.locator("img")
    box = image.bounding_box()
    image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.4})
    expect(page.locator("#id_focal_x")).to_have_value("0.25")
    expect(page.locator("#id_focal_y")).to_have_value("0.40")

    # Each box is the engine's own cover crop for that shape, as fractions of the picture.
    shown = picker.locator(".crop-box").evaluate_all(
        "boxes => boxes.map(b => [b.style.left, b.style.top, b.style.width, b.style.height]"
        ".map(parseFloat))"
    )
    shapes = picker.locator("[data-crop-width]").evaluate_all(
        "items => items.map(i => [+i.dataset.cropWidth, +i.dataset.cropHeight])"
    )
    assert len(shown) == len(shapes) >= 4
    presets = {preset.size: preset for preset in presets_for("photo")}
    for (width, height), box_percent in zip(shapes, shown, strict=True):
        left, top, right, bottom = plan_preset(
            presets[width, height], (900, 600), "photo", 0.25, 0.4
        ).crop
        expected = [left / 9, top / 6, (right - left) / 9, (bottom - top) / 6]
        assert box_percent == pytest.approx(expected, abs=0.01)
    screenshot(page, "focal-point")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    asset = Asset.objects.get(title="Quay at noon")
    assert (asset.focal_x, asset.focal_y) == (0.25, 0.4)
    ready = page.locator(".sizes tbody tr[data-status=ready]")
    expect(ready).to_have_count(len(platform_presets("photo")))


def test_sizes_turn_ready_on_the_open_page(browser_as, marketer):
    asset = make_asset(title="Quay", data=to_bytes(picture(600, 400), "JPEG").getvalue())
    # As if the work were queued and no worker had picked it up yet.
    asset.current_renditions().update(status=Rendition.Status.PENDING)
    page = browser_as(marketer).new_page()
    page.goto(asset.get_absolute_url())
    pending = page.locator(".sizes tbody tr[data-status=pending]")
    expect(pending.get_by_text("Being made")).to_have_count(len(platform_presets("photo")))

    with page.expect_response(lambda response: response.url.endswith("/sizes.json")):
        pass  # the page asks once and hears that nothing is ready yet
    renditions_make(asset=asset)  # the worker does the work while the page is open

    expect(page.locator(".sizes tbody tr[data-status=ready]")).to_have_count(
        len(platform_presets("photo")), timeout=10_000
    )
    expect(page.locator("[data-status-note]")).to_contain_text("Every size is ready.")
    # The previews arrive without a reload, and none of them is the original.
    expect(page.locator(".asset-preview img[data-preview=preview]")).to_be_visible()
    # The platform cards are swapped in with every slot's file.
    expect(page.locator(".platform-grid .slot-shot img").first).to_be_visible()
    sources = page.eval_on_selector_all("img", "images => images.map(image => image.src)")
    assert not [src for src in sources if "/original/" in src]
    expect(page.locator(".renditions")).to_have_attribute("data-polling", "done")


def test_a_marketer_drags_a_crop_box_for_one_size_and_the_preview_and_file_follow(
    browser_as, marketer, screenshot
):
    source = picture(1200, 800)
    ImageDraw.Draw(source).rectangle((0, 0, 420, 140), fill=(255, 0, 0))  # top-left, 3:1
    asset = make_asset(title="Pier", data=to_bytes(source, "JPEG", quality=95).getvalue())
    renditions_make(asset=asset)
    page = browser_as(marketer, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"/library/{asset.slug}/edit/")
    page.get_by_label("Crop one size yourself").select_option("x-header")
    box = page.locator("[data-crop-drag]")
    expect(box).to_be_visible()
    preview = page.locator("[data-crop-preview]")
    expect(preview).to_be_visible()

    # Shrink the box from its corner, then drag it into the top-left corner.
    handle = box.locator(".crop-handle").bounding_box()
    page.mouse.move(handle["x"] + 8, handle["y"] + 8)
    page.mouse.down()
    page.mouse.move(handle["x"] - 400, handle["y"] - 130, steps=8)
    page.mouse.up()
    middle = box.bounding_box()
    page.mouse.move(middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2)
    page.mouse.down()
    page.mouse.move(0, 0, steps=8)
    page.mouse.up()

    drawn = json.loads(preview.get_attribute("data-box"))
    assert drawn["x"] == 0 and drawn["y"] == 0
    assert 0.3 < drawn["w"] < 0.45, "the corner made it smaller"
    # Dragging is not clicking: the focal point stays where it was.
    expect(page.locator("#id_focal_x")).to_have_value("0.5")
    # Grown to the header's 3:1 shape, measured in pixels of the picture.
    assert drawn["w"] * 1200 / (drawn["h"] * 800) == pytest.approx(3, rel=0.02)
    picker = page.locator("[data-focal-picker]")
    picker.scroll_into_view_if_needed()
    screenshot(page, "crop-override")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    asset.refresh_from_db()
    assert asset.crop_overrides["x-header"] == drawn
    header = asset.current_renditions().get(preset="x-header")
    assert header.status == Rendition.Status.READY
    with header.file.open("rb") as file, Image.open(file) as image:
        red = image.convert("RGB").getpixel((20, 20))
        assert red[0] > 200 and red[1] < 60, "the file shows the drawn corner"
    facebook = asset.current_renditions().get(preset="facebook-cover")
    with facebook.file.open("rb") as file, Image.open(file) as image:
        assert image.convert("RGB").getpixel((image.width // 2, image.height // 2))[0] < 200


def test_the_edit_form_offers_a_real_collection_choice_and_sets_the_focal_point_on_the_picture(
    browser_as, marketer
):
    Collection.objects.create(name="Spring sailings", slug="spring")
    asset = make_asset(title="Pier", data=to_bytes(picture(900, 600), "JPEG").getvalue())
    page = browser_as(marketer, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"/library/{asset.slug}/edit/")
    options = page.get_by_label("Collection").locator("option").all_inner_texts()
    assert options == ["No collection", "Spring sailings"]
    # No 0–1 fields to type in: the picture sets both.
    for field in ("#id_focal_x", "#id_focal_y"):
        expect(page.locator(field)).to_have_attribute("type", "hidden")
    expect(page.get_by_text("Focal point, across")).to_have_count(0)
    page.goto("/library/upload/")
    options = page.get_by_label("Collection").locator("option").all_inner_texts()
    assert "---------" not in options


@pytest.mark.parametrize("target", ["x-header", "text"])
def test_the_crop_box_and_the_text_box_move_and_resize_by_keyboard(browser_as, marketer, target):
    asset = make_asset(
        title="Pier",
        kind=Asset.Kind.ILLUSTRATION,
        data=to_bytes(picture(1200, 800), "JPEG").getvalue(),
    )
    page = browser_as(marketer, viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"/library/{asset.slug}/edit/")
    page.get_by_label("Crop one size yourself").select_option(target)
    box = page.get_by_role("group", name="The box: arrow keys move it")
    box.focus()
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")  # smaller first, so it has room to move
    before = json.loads(page.locator("[data-crop-preview]").get_attribute("data-box"))
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowDown")
    moved = json.loads(page.locator("[data-crop-preview]").get_attribute("data-box"))
    assert moved["x"] == pytest.approx(max(0, before["x"] - 0.05), abs=0.001)
    assert moved["w"] == pytest.approx(before["w"], abs=0.001)
    page.keyboard.press("Shift+ArrowRight")
    grown = json.loads(page.locator("[data-crop-preview]").get_attribute("data-box"))
    assert grown["w"] == pytest.approx(moved["w"] + 0.01, abs=0.002)
    expect(page.locator("#id_focal_x")).to_have_value("0.5")  # the keys moved the box only

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    asset.refresh_from_db()
    saved = asset.text_box if target == "text" else asset.crop_overrides[target]
    assert saved == grown
