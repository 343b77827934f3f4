import pytest

from assets.models import Asset, Collection
from tests.factories import image_bytes

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
