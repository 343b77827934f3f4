import os

import pytest
from PIL import Image

from assets.models import Asset, Collection
from tests.assets.imagegen import to_bytes
from tests.factories import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    incoming = tmp_path / "incoming"
    (incoming / "logos").mkdir(parents=True)
    (incoming / "logos" / "round.png").write_bytes(image_bytes("PNG"))
    (incoming / "team.jpg").write_bytes(image_bytes("JPEG"))
    (incoming / ".DS_Store").write_bytes(b"finder junk")
    return incoming


def test_importing_a_folder_adds_every_image_and_prints_ok_lines(import_assets_run, folder):
    output, status = import_assets_run(folder)
    assert status == 0
    assert output.splitlines() == [
        f"ok {folder / 'logos' / 'round.png'} -> round",
        f"ok {folder / 'team.jpg'} -> team",
    ]
    assert Asset.objects.filter(status=Asset.Status.DRAFT).count() == 2


def test_running_it_again_changes_nothing_and_says_exists(import_assets_run, folder):
    import_assets_run(folder)
    output, status = import_assets_run(folder)
    assert status == 0
    assert output.splitlines()[1] == f"exists {folder / 'team.jpg'} -> team"
    assert Asset.objects.count() == 2


def test_a_rejected_file_is_reported_and_the_exit_status_is_1(import_assets_run, folder):
    (folder / "broken.jpg").write_bytes(image_bytes("JPEG")[:100])
    output, status = import_assets_run(folder)
    assert status == 1
    assert f"rejected {folder / 'broken.jpg'}: the image is truncated or damaged" in output
    assert Asset.objects.count() == 2


def test_collection_and_publish_options_apply_to_every_file(import_assets_run, folder):
    Collection.objects.create(name="Brand", slug="brand")
    import_assets_run(folder, "--collection", "brand", "--publish")
    assert set(Asset.objects.values_list("collection__slug", "status")) == {("brand", "published")}


@pytest.mark.parametrize(
    "arguments",
    [["/no/such/folder"], ["--collection", "nope", "."], []],
    ids=["missing path", "unknown collection", "no path"],
)
def test_bad_arguments_exit_with_status_2(import_assets_run, arguments):
    _, status = import_assets_run(*arguments)
    assert status == 2
    assert not Asset.objects.exists()


def deep_grey_png() -> bytes:
    """A 16-bit greyscale PNG as scanners and print tools export it."""
    grey = Image.linear_gradient("L").convert("I;16").resize((600, 400))
    return to_bytes(grey, "PNG").getvalue()


def test_a_16_bit_greyscale_png_is_imported_with_its_kind_guessed_and_so_are_the_files_after_it(
    import_assets_run, tmp_path
):
    (tmp_path / "a-scan.png").write_bytes(deep_grey_png())
    (tmp_path / "b-team.jpg").write_bytes(image_bytes("JPEG"))
    output, status = import_assets_run(tmp_path)
    assert output.splitlines() == [
        f"ok {tmp_path / 'a-scan.png'} -> a-scan",
        f"ok {tmp_path / 'b-team.jpg'} -> b-team",
    ]
    assert status == 0


def test_the_upload_form_guesses_the_kind_of_the_same_16_bit_png(client, marketer):
    client.force_login(marketer)
    response = client.post(
        "/library/upload/",
        {"files": [upload("scan.png", deep_grey_png())], "kind": ""},
        headers={"Accept": "application/json"},
    )
    (added,) = response.json()["added"]
    assert added["kind_guessed"]


def test_a_file_that_fails_unexpectedly_is_reported_and_the_files_after_it_are_imported(
    import_assets_run, tmp_path
):
    # A name from an old archive that is not UTF-8: the database cannot store it as a title.
    odd = tmp_path / os.fsdecode(b"a-caf\xe9.png")
    odd.write_bytes(image_bytes("PNG"))
    (tmp_path / "b-team.jpg").write_bytes(image_bytes("JPEG"))
    output, status = import_assets_run(tmp_path)
    first, second = output.splitlines()
    assert first.startswith(f"failed {tmp_path}/a-caf\\xe9.png: UnicodeEncodeError")
    assert second == f"ok {tmp_path / 'b-team.jpg'} -> b-team"
    assert status == 1
    assert list(Asset.objects.values_list("slug", flat=True)) == ["b-team"]
