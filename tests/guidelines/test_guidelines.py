import io

import pytest
from django.urls import reverse
from PIL import Image

from assets.models import Asset, Collection
from assets.renditions.rendering import renditions_make
from guidelines.models import Guideline, parse_swatches
from guidelines.services import guideline_save
from tests.factories import image_bytes, make_asset

pytestmark = pytest.mark.django_db

SKY = "Sky | #1a4fd8 | 90 65 0 0 | Pantone 2728 C"
PAPER = "Paper | #FFFFFF | 0, 0, 0, 0"


@pytest.fixture
def collection() -> Collection:
    return Collection.objects.create(name="Spring", slug="spring")


def edit_url(collection: Collection) -> str:
    return reverse("guidelines:edit", args=[collection.slug])


def write(client, collection: Collection, **fields):
    data = {"body_en": "## Clear space\nKeep one logo height free.", "swatches": SKY, **fields}
    return client.post(edit_url(collection), data, follow=True)


def test_a_marketer_writes_guidelines_and_everyone_reads_the_swatches(
    client, marketer, employee, collection
):
    client.force_login(marketer)
    assert write(client, collection, swatches=f"{SKY}\n\n{PAPER}").status_code == 200
    client.force_login(employee)
    html = client.get(reverse("guidelines:page", args=["spring"])).content.decode()
    assert "<h2>Clear space</h2>" in html
    # HEX as written but upper-cased, RGB worked out from it, CMYK and Pantone as given.
    assert 'data-copy="#1A4FD8"' in html
    assert 'data-copy="rgb(26, 79, 216)"' in html
    assert 'data-copy="C90 M65 Y0 K0"' in html
    assert 'data-copy="Pantone 2728 C"' in html
    assert 'data-copy="rgb(255, 255, 255)"' in html
    assert 'fill="#1A4FD8"' in html


def test_a_swatch_that_cannot_be_read_is_refused_with_its_line_and_the_fix(
    client, marketer, collection
):
    client.force_login(marketer)
    response = write(client, collection, swatches=f"{SKY}\nRed | #ff00 | 0 100 100 0")
    html = response.content.decode()
    assert "Line 2: “#ff00” is not a HEX colour" in html
    assert not Guideline.objects.exists()


def test_cmyk_must_be_four_numbers_from_0_to_100():
    with pytest.raises(Exception, match="not CMYK"):
        parse_swatches("Red | #FF0000 | 0 100 140 0")
    with pytest.raises(Exception, match="not CMYK"):
        parse_swatches("Red | #FF0000 | 0 100 0")


def test_guidelines_markdown_shows_html_as_text(client, marketer, employee, collection):
    client.force_login(marketer)
    write(client, collection, body_en="<script>alert(1)</script> [x](javascript:alert(1))")
    client.force_login(employee)
    html = client.get(reverse("guidelines:page", args=["spring"])).content.decode()
    assert "<script>alert" not in html
    assert "javascript:" not in html


def test_the_preview_shows_the_text_without_saving_it(client, marketer, collection):
    client.force_login(marketer)
    response = client.post(
        edit_url(collection), {"body_en": "Draft words", "swatches": SKY, "preview": "1"}
    )
    assert "Draft words" in response.content.decode()
    assert not Guideline.objects.exists()


def test_every_change_is_kept_in_the_change_log(client, marketer, employee, collection):
    client.force_login(marketer)
    write(client, collection, body_en="Use the logo on white.")
    write(client, collection, body_en="Use the logo on white or sky blue.", swatches=PAPER)
    client.force_login(employee)
    html = client.get(reverse("guidelines:history", args=["spring"])).content.decode()
    assert "-Use the logo on white." in html
    assert "+Use the logo on white or sky blue." in html
    assert "-- Sky | #1A4FD8 | 90 65 0 0 | Pantone 2728 C" in html
    assert "+- Paper | #FFFFFF | 0 0 0 0" in html
    assert "First published" in html


def test_saving_the_same_guidelines_again_adds_no_version(client, marketer, collection):
    client.force_login(marketer)
    write(client, collection)
    write(client, collection)
    assert Guideline.objects.get().versions.count() == 0


def test_the_collection_page_shows_its_guidelines(client, marketer, employee, collection):
    # Employees find a collection once it holds published artwork.
    make_asset(title="Inside", collection=collection)
    client.force_login(marketer)
    write(client, collection)
    client.force_login(employee)
    html = client.get(reverse("assets:home"), {"collection": "spring"}).content.decode()
    assert "Brand guidelines: Spring" in html
    assert 'data-copy="#1A4FD8"' in html
    assert "Keep one logo height free." in html
    # A filter that is not valid (a kind from an old link) is left out; the collection stays.
    html = client.get(reverse("assets:home"), {"collection": "spring", "kind": "gone"}).content
    assert "Brand guidelines: Spring" in html.decode()


def test_a_marketer_is_offered_to_write_guidelines_where_there_are_none(
    client, marketer, employee, collection
):
    client.force_login(marketer)
    html = client.get(reverse("assets:home"), {"collection": "spring"}).content.decode()
    assert edit_url(collection) in html
    client.force_login(employee)
    html = client.get(reverse("assets:home"), {"collection": "spring"}).content.decode()
    assert edit_url(collection) not in html


def test_each_asset_of_the_collection_links_to_its_guidelines(client, employee, collection):
    guideline_save(
        collection=collection, bodies={"en": "Kind words."}, swatches=[], dont_examples=[]
    )
    inside = make_asset(title="Inside", collection=collection)
    outside = make_asset(title="Outside")
    client.force_login(employee)
    page_url = reverse("guidelines:page", args=["spring"])
    assert page_url in client.get(inside.get_absolute_url()).content.decode()
    assert page_url not in client.get(outside.get_absolute_url()).content.decode()


def test_a_draft_dont_example_is_shown_on_the_guidelines_but_not_offered(
    client, marketer, employee, collection
):
    stretched = make_asset(title="Stretched logo", collection=collection, status=Asset.Status.DRAFT)
    renditions_make(asset=stretched)
    client.force_login(marketer)
    write(client, collection, dont_examples=[stretched.pk])
    client.force_login(employee)
    html = client.get(reverse("guidelines:page", args=["spring"])).content.decode()
    image_url = reverse("guidelines:dont-image", args=["spring", stretched.slug])
    assert "Don't:</strong> Stretched logo" in html
    assert image_url in html
    response = client.get(image_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    # As artwork, a draft stays out of employees' reach.
    assert client.get(stretched.get_absolute_url()).status_code == 404


def test_an_asset_that_is_no_dont_example_is_not_served_by_the_guidelines(
    client, employee, collection
):
    guideline_save(collection=collection, bodies={"en": ""}, swatches=[], dont_examples=[])
    secret = make_asset(title="Secret", collection=collection, status=Asset.Status.DRAFT)
    client.force_login(employee)
    url = reverse("guidelines:dont-image", args=["spring", secret.slug])
    assert client.get(url).status_code == 404


def test_a_dont_example_must_belong_to_the_collection(client, marketer, collection):
    elsewhere = make_asset(title="Elsewhere", data=image_bytes("JPEG", (40, 40)))
    client.force_login(marketer)
    response = write(client, collection, dont_examples=[elsewhere.pk])
    assert "Select a valid choice" in response.content.decode()
    assert not Guideline.objects.exists()


def test_an_employee_cannot_write_guidelines(client, employee, collection):
    client.force_login(employee)
    assert write(client, collection).status_code == 403
    assert not Guideline.objects.exists()


def test_only_drafts_are_offered_as_dont_examples_each_with_its_thumbnail_and_status(
    client, marketer, collection
):
    stretched = make_asset(title="Stretched logo", collection=collection, status="draft")
    make_asset(title="Summer banner", collection=collection, status="published")
    renditions_make(asset=stretched)
    client.force_login(marketer)
    html = client.get(edit_url(collection)).content.decode()
    assert "Stretched logo" in html
    assert "Summer banner" not in html
    assert f'src="/assets/{stretched.slug}/preview/thumbnail/?v=' in html
    assert "Draft" in html


def test_a_published_asset_cannot_be_saved_as_a_dont_example(client, marketer, collection):
    banner = make_asset(title="Summer banner", collection=collection, status="published")
    client.force_login(marketer)
    response = write(client, collection, dont_examples=[banner.pk])
    assert "Select a valid choice" in response.content.decode()
    assert not Guideline.objects.exists()


BLUE = (30, 60, 200)


@pytest.fixture
def big_dont(collection) -> Asset:
    """A draft far larger than any preview, chosen as a "don't" example."""
    example = make_asset(
        title="Squashed logo",
        data=image_bytes("JPEG", (3200, 2400), colour=BLUE),
        collection=collection,
        status=Asset.Status.DRAFT,
    )
    guideline_save(collection=collection, bodies={"en": ""}, swatches=[], dont_examples=[example])
    return example


def dont_url(example: Asset) -> str:
    return reverse("guidelines:dont-image", args=["spring", example.slug])


def test_a_dont_example_is_a_reduced_copy_marked_in_red_never_the_original(
    client, employee, big_dont
):
    renditions_make(asset=big_dont)
    client.force_login(employee)
    response = client.get(dont_url(big_dont))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with big_dont.original.open("rb") as original:
        assert data != original.read()
    with Image.open(io.BytesIO(data)) as shown:
        assert (shown.format, response["Content-Type"]) == ("JPEG", "image/jpeg")
        assert max(shown.size) <= 1600
        assert shown.width / shown.height == pytest.approx(3200 / 2400, rel=0.01)
        band = shown.convert("RGB").getpixel((shown.width // 10, 4))
        middle = shown.convert("RGB").getpixel((shown.width // 2, shown.height // 2))
    red = band[0] > 170 and band[1] < 80 and band[2] < 80
    assert red, f"the band at the top is {band}, not red"
    assert middle[0] > 150 and middle[2] < 100, "the red strike crosses the middle"


def test_a_dont_example_is_not_shown_until_its_preview_is_made(client, employee, big_dont):
    client.force_login(employee)
    assert client.get(dont_url(big_dont)).status_code == 404
