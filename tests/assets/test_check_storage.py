"""manage.py check_storage: files rows name that storage lacks, and stored files no row names."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assets.management.commands.check_storage import storage_walk
from assets.models import Rendition
from assets.renditions.rendering import renditions_make
from assets.services import asset_replace_file, asset_version_restore
from tests.factories import image_bytes, make_asset, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo():
    asset = make_asset(title="Harbour", data=image_bytes("JPEG", (400, 300)))
    renditions_make(asset=asset)
    return asset


def stored() -> set[str]:
    return set(storage_walk(default_storage))


def orphan() -> str:
    """A file no row names, as a crash between storing and committing leaves one."""
    return default_storage.save("originals/zz/left-behind.jpg", ContentFile(b"jpeg bytes"))


def test_a_storage_that_matches_the_rows_is_reported_clean(check_storage_run, photo):
    out, code = check_storage_run("--min-age", "0")
    assert code == 0
    assert "0 missing, 0 orphan(s)" in out


def test_files_missing_from_storage_are_listed_with_their_asset(check_storage_run, photo):
    size = photo.current_renditions().get(preset="avatar-small")
    default_storage.delete(size.file.name)
    default_storage.delete(photo.original.name)
    out, code = check_storage_run()
    assert code == 1
    assert f"missing {size.file.name} (size of {photo.slug})" in out
    assert f"missing {photo.original.name} (original of {photo.slug})" in out


def test_an_earlier_version_missing_from_storage_is_listed(check_storage_run, photo, marketer):
    earlier = photo.original.name
    asset_replace_file(
        asset=photo, file=upload("new.jpg"), filename="new.jpg", replaced_by=marketer
    )
    default_storage.delete(earlier)
    out, code = check_storage_run()
    assert code == 1
    assert f"missing {earlier} (earlier version of {photo.slug})" in out


def test_a_stored_file_no_row_names_is_listed_and_kept(check_storage_run, photo):
    name = orphan()
    out, code = check_storage_run("--min-age", "0")
    assert code == 1
    assert f"orphan {name}" in out
    assert default_storage.exists(name)


def test_a_file_stored_in_the_last_hour_is_not_called_an_orphan(check_storage_run, photo):
    # An upload or a worker stores its files before it commits the rows that name them.
    name = orphan()
    out, code = check_storage_run()
    assert code == 0
    assert name not in out
    assert "0 orphan(s) (1 newer file(s) left out)" in out


def test_delete_orphans_removes_only_files_no_row_names(check_storage_run, photo):
    name = orphan()
    before = stored()
    out, code = check_storage_run("--delete-orphans", "--min-age", "0")
    assert code == 0
    assert f"deleted orphan {name}" in out
    assert stored() == before - {name}


def test_remake_missing_makes_a_lost_size_again(
    check_storage_run, photo, django_capture_on_commit_callbacks
):
    size = photo.current_renditions().get(preset="avatar-small")
    default_storage.delete(size.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        out, code = check_storage_run("--remake-missing")
    assert f"queued 1 size(s) of {photo.slug} to be made again" in out
    size = photo.current_renditions().get(preset="avatar-small")
    assert size.status == Rendition.Status.READY
    assert default_storage.exists(size.file.name)
    assert check_storage_run()[1] == 0


def test_s3_orphans_and_missing_files_are_found_and_orphans_deleted(check_storage_run, s3_bucket):
    asset = make_asset(title="Harbour", data=image_bytes("JPEG", (400, 300)))
    renditions_make(asset=asset)
    size = asset.current_renditions().get(preset="avatar-small")
    default_storage.delete(size.file.name)
    name = orphan()
    out, code = check_storage_run("--delete-orphans", "--min-age", "0")
    assert code == 1  # the missing size is still missing
    assert f"missing {size.file.name} (size of {asset.slug})" in out
    assert f"deleted orphan {name}" in out
    keys = {item.key for item in s3_bucket.objects.all()}
    assert name not in keys
    assert asset.original.name in keys


def test_the_sizes_kept_with_an_earlier_file_are_neither_orphans_nor_missing(
    check_storage_run, photo, marketer, django_capture_on_commit_callbacks
):
    kept = set(photo.renditions.values_list("file", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        asset_replace_file(
            asset=photo, file=upload("new.jpg"), filename="new.jpg", replaced_by=marketer
        )
    out, code = check_storage_run("--min-age", "0")
    assert code == 0, out
    assert "0 missing, 0 orphan(s)" in out
    assert kept <= stored()


def test_remake_missing_drops_a_lost_size_of_an_earlier_file_and_restoring_makes_it(
    check_storage_run, photo, marketer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset_replace_file(
            asset=photo, file=upload("new.jpg"), filename="new.jpg", replaced_by=marketer
        )
    version = photo.versions.get()
    lost = version.sizes.get(preset="avatar-small")
    default_storage.delete(lost.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        out, code = check_storage_run("--remake-missing")
    assert f"dropped 1 size(s) kept with earlier files of {photo.slug}" in out
    assert check_storage_run()[1] == 0

    with django_capture_on_commit_callbacks(execute=True):
        photo = asset_version_restore(version=version, restored_by=marketer)
    size = photo.current_renditions().get(preset="avatar-small")
    assert size.status == Rendition.Status.READY
    assert default_storage.exists(size.file.name)
