import io

import pytest
from PIL import Image

from assets.models import Asset
from tests.assets.imagegen import picture, to_bytes
from tests.factories import image_bytes, upload
from tests.hostile_corpus import NOT_AN_IMAGE, png_with_declared_size

pytestmark = pytest.mark.django_db


def post_files(client, *files, **fields):
    return client.post("/library/upload/", {"files": list(files), "kind": "photo", **fields})


def refusal(response) -> str:
    """The text of the first refusal on the upload page."""
    page = response.content.decode()
    start = page.index('class="result refused"')
    return page[start : page.index("</li>", start)]


def test_a_valid_photo_is_added_with_its_facts(client, marketer):
    client.force_login(marketer)
    response = post_files(client, upload("Team day.jpg", image_bytes("JPEG", (640, 480))))
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.title, asset.format, asset.width, asset.height) == ("Team day", "JPEG", 640, 480)
    assert len(asset.sha256) == 64
    assert asset.status == Asset.Status.DRAFT
    assert asset.uploaded_by == marketer


def test_many_files_at_once_are_each_added(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("a.jpg"), upload("b.png"), upload("c.webp", image_bytes("WEBP")))
    assert sorted(Asset.objects.values_list("format", flat=True)) == ["JPEG", "PNG", "WEBP"]


def test_publish_on_upload_makes_the_asset_visible_to_employees(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("a.jpg"), publish="on")
    assert Asset.objects.published().count() == 1


def test_a_photo_rotated_by_exif_is_stored_with_its_upright_size(client, marketer):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show upright
    client.force_login(marketer)
    post_files(client, upload("portrait.jpg", image_bytes("JPEG", (600, 400), exif=exif)))
    asset = Asset.objects.get()
    assert (asset.width, asset.height) == (400, 600)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.jpg", b"", "the file is empty"),
        ("notes.jpg", b"just some text, not an image" * 10, NOT_AN_IMAGE),
        ("anim.jpg", image_bytes("GIF"), "This is a GIF image. Save it as PNG"),
        ("photo.png", image_bytes("JPEG"), "is a JPEG image but its name ends in “.png”"),
        ("photo", image_bytes("JPEG"), "its name ends in “.(nothing)”"),
        ("cut.jpg", image_bytes("JPEG", (800, 600))[:-400], "truncated or damaged"),
        ("cut.png", image_bytes("PNG", (800, 600), mode="RGB")[:-40], "truncated or damaged"),
        ("bomb.png", png_with_declared_size(100_000, 100_000), "decompression bomb"),
        ("huge.png", png_with_declared_size(9000, 9000), "the limit is 60 MP"),
    ],
)
def test_a_bad_file_is_refused_with_its_name_and_the_reason(client, marketer, name, data, reason):
    client.force_login(marketer)
    response = post_files(client, upload(name, data))
    assert response.status_code == 200
    message = refusal(response)
    assert name in message
    assert reason in message
    assert not Asset.objects.exists()


def test_an_animated_image_is_refused(client, marketer):
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:])
    client.force_login(marketer)
    response = post_files(client, upload("moving.webp", buffer.getvalue()))
    assert "animated images are not supported" in refusal(response)


def test_a_file_over_the_byte_limit_is_refused(client, marketer, settings):
    settings.ASSET_MAX_UPLOAD_BYTES = 1000
    client.force_login(marketer)
    response = post_files(client, upload("big.jpg", image_bytes("JPEG", (900, 900), quality=100)))
    assert "the limit is 1000" in refusal(response)


def test_the_same_file_twice_is_refused_with_a_link_to_the_existing_asset(client, marketer):
    data = image_bytes("JPEG")
    client.force_login(marketer)
    post_files(client, upload("first.jpg", data))
    existing = Asset.objects.get()
    response = post_files(client, upload("again.jpg", data))
    assert "already in the library" in refusal(response)
    assert existing.get_absolute_url() in response.content.decode()
    assert Asset.objects.count() == 1


def test_good_files_are_kept_when_others_in_the_same_upload_are_refused(client, marketer):
    client.force_login(marketer)
    response = post_files(client, upload("good.jpg"), upload("bad.jpg", b"nope"))
    assert Asset.objects.count() == 1
    page = response.content.decode()
    assert "good" in page and "bad.jpg" in page


def test_a_file_name_with_path_tricks_cannot_choose_where_the_file_is_stored(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("../../etc/evil.jpg"))
    asset = Asset.objects.get()
    assert asset.original.name == f"originals/{asset.sha256[:2]}/{asset.sha256}.jpg"


LOGO_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" onload="alert(1)">'
    b'<script>alert("hi")</script><rect width="400" height="200" fill="#2446c7"/></svg>'
)


def test_an_svg_logo_is_kept_sanitized(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("logo.svg", LOGO_SVG), kind="logo")
    asset = Asset.objects.get()
    assert (asset.format, asset.width, asset.height) == ("SVG", 400, 200)
    kept = asset.original.open("rb").read()
    assert b"<rect" in kept
    assert b"script" not in kept and b"onload" not in kept


INKSCAPE_SVG = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="400" height="200" viewBox="0 0 400 200" version="1.1"
  inkscape:export-filename="/home/jane.doe/Clients/Fjordlight/logo-final.png"
  sodipodi:docname="logo-final.svg"
  xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
  xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
  xmlns="http://www.w3.org/2000/svg" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="view" pagecolor="#ffffff" inkscape:document-units="mm"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:creator><cc:Agent>
    <dc:title>Jane Doe</dc:title></cc:Agent></dc:creator></cc:Work></rdf:RDF></metadata>
  <g inkscape:label="Layer 1 (old claim: not approved)" inkscape:groupmode="layer">
    <rect width="400" height="200" fill="#2446c7"/>
  </g>
</svg>"""


def test_an_svg_original_keeps_no_author_file_paths_or_editor_notes(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("logo-final.svg", INKSCAPE_SVG), kind="logo")
    asset = Asset.objects.get()
    kept = asset.original.open("rb").read()
    for private in (b"jane", b"Jane Doe", b"not approved", b"inkscape", b"sodipodi", b"metadata"):
        assert private not in kept
    # What draws the logo is all still there.
    assert b"<rect" in kept
    assert b'fill="#2446c7"' in kept


def test_an_svg_original_downloads_and_never_renders_inline(client, marketer):
    client.force_login(marketer)
    post_files(client, upload("logo.svg", LOGO_SVG), kind="logo")
    response = client.get(f"/assets/{Asset.objects.get().slug}/original/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "entity.svg",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "the SVG cannot be read safely",
        ),
        (
            "broken.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><rect",
            "the SVG cannot be read safely",
        ),
        ("logo.png", LOGO_SVG, "is an SVG image but its name ends in “.png”"),
    ],
)
def test_an_unsafe_or_mislabelled_svg_is_refused(client, marketer, name, data, reason):
    client.force_login(marketer)
    response = post_files(client, upload(name, data))
    assert reason in refusal(response)
    assert not Asset.objects.exists()


def test_the_page_script_gets_each_result_as_json(client, marketer):
    client.force_login(marketer)
    first = image_bytes("PNG", (64, 64))
    ok = client.post(
        "/library/upload/",
        {"files": [upload("Logo.png", first)], "kind": "logo"},
        headers={"accept": "application/json"},
    )
    existing = Asset.objects.get()
    again = client.post(
        "/library/upload/",
        {"files": [upload("Logo again.png", first)], "kind": "logo"},
        headers={"accept": "application/json"},
    )
    (added,) = ok.json()["added"]
    assert (added["title"], added["url"]) == ("Logo", existing.get_absolute_url())
    assert (added["kind"], added["kind_guessed"]) == ("logo", False)
    assert added["kind_url"] == f"/library/{existing.slug}/kind/"
    assert ok.json()["refused"] == []
    refusal = again.json()["refused"][0]
    assert refusal["name"] == "Logo again.png"
    assert "already in the library" in refusal["reason"]
    assert refusal["existing_url"] == existing.get_absolute_url()


def test_a_json_post_with_a_bad_field_gets_the_form_errors(client, marketer):
    client.force_login(marketer)
    response = client.post(
        "/library/upload/",
        {"files": [upload("a.jpg")], "kind": "poster"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["errors"]["kind"][0]["code"] == "invalid_choice"
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("mark.svg", LOGO_SVG, "logo"),
        ("mark.png", image_bytes("PNG", (600, 600), mode="RGBA", colour=(0, 0, 0, 0)), "logo"),
        ("poster.png", image_bytes("PNG", (3000, 750)), "illustration"),
        ("team.jpg", to_bytes(picture(1200, 800), "JPEG").getvalue(), "photo"),
    ],
)
def test_each_file_gets_its_kind_guessed_when_the_batch_does_not_say(
    client, marketer, name, data, kind
):
    client.force_login(marketer)
    response = client.post(
        "/library/upload/", {"files": [upload(name, data)]}, headers={"Accept": "application/json"}
    )
    (added,) = response.json()["added"]
    assert (added["kind"], added["kind_guessed"]) == (kind, True)
    assert Asset.objects.get().kind == kind


def test_an_opaque_png_with_an_alpha_channel_is_not_taken_for_a_logo(client, marketer):
    opaque = to_bytes(picture(1200, 800, mode="RGBA"), "PNG").getvalue()
    client.force_login(marketer)
    client.post("/library/upload/", {"files": [upload("shot.png", opaque)]})
    assert Asset.objects.get().kind == "photo"


def test_the_batch_kind_is_a_default_each_file_can_change_in_the_results(
    client, marketer, django_capture_on_commit_callbacks
):
    client.force_login(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/library/upload/", {"files": [upload("a.jpg")], "kind": "logo"})
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.kind == "logo"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/library/{asset.slug}/kind/",
            {"kind": "photo"},
            headers={"Accept": "application/json"},
        ).json()
    assert answer == {"kind": "photo", "label": "Photo"}
    asset.refresh_from_db()
    assert asset.kind == "photo"
    assert set(asset.current_renditions().values_list("status", flat=True)) == {"ready"}


def test_the_upload_results_page_offers_the_kind_of_each_added_file(client, marketer):
    client.force_login(marketer)
    response = client.post(
        "/library/upload/", {"files": [upload("a.jpg"), upload("b.jpg", b"not an image")]}
    )
    page = response.content.decode()
    assert page.count('<select name="kind">') == 1
    assert "/kind/" in page
