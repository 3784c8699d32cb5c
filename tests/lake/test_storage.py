from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pyarrow.fs as pafs
import pytest

from lake.registry import TableSpec
from lake.storage import Lake
from tests.support.moto import MotoS3, s3_settings

DIR = "filings/320193/0000320193-23-000106"
DATA = b"<html>10-K</html>"
SHA = hashlib.sha256(DATA).hexdigest()


def test_table_uri(lake: Lake, filings: TableSpec) -> None:
    assert lake.table_uri(filings) == f"{lake.uri}/bronze/test_filings"


def test_put_get_and_exists(lake: Lake) -> None:
    key = f"{DIR}/{SHA}/primary.htm"
    assert lake.object_exists(key) is False
    stored = lake.put_object(DIR, "primary.htm", DATA)
    assert (stored.key, stored.sha256, stored.size, stored.created) == (key, SHA, len(DATA), True)
    assert lake.object_exists(key) is True
    assert lake.get_object(key) == DATA
    assert lake.object_exists(f"{DIR}/{SHA}") is False  # a folder is not an object


def test_existing_objects_are_never_rewritten(lake: Lake) -> None:
    first = lake.put_object(DIR, "primary.htm", DATA)
    fs, base = lake.filesystem()
    with fs.open_output_stream(f"{base}/{first.key}") as stream:  # tamper, to detect any rewrite
        stream.write(b"tampered")
    again = lake.put_object(f"{DIR}/", "primary.htm", DATA)
    assert (again.key, again.created) == (first.key, False)
    assert lake.get_object(first.key) == b"tampered"


def test_same_content_under_another_name_or_folder_is_another_object(lake: Lake) -> None:
    a = lake.put_object(DIR, "a.htm", DATA)
    b = lake.put_object("filings/1/x", "a.htm", DATA)
    c = lake.put_object(DIR, "b.htm", DATA)
    assert [o.created for o in (a, b, c)] == [True, True, True]
    assert len({a.key, b.key, c.key}) == 3
    assert (
        lake.put_object(DIR, "a.htm", b"other").key == f"{DIR}/{hashlib.sha256(b'other').hexdigest()}/a.htm"
    )


def test_missing_object(lake: Lake) -> None:
    with pytest.raises(FileNotFoundError):
        lake.get_object(f"{DIR}/{SHA}/missing.htm")


@pytest.mark.parametrize(
    ("folder", "name"),
    [("../up", "a"), ("/abs", "a"), ("a/./b", "a"), ("", "a"), ("a", "b/c"), ("a", ".."), ("a", "")],
)
def test_bad_paths_are_rejected(lake: Lake, folder: str, name: str) -> None:
    with pytest.raises(ValueError, match="bad object"):
        lake.put_object(folder, name, DATA)


def test_filesystem_lists_the_stored_object(lake: Lake) -> None:
    stored = lake.put_object(DIR, "primary.htm", DATA)
    fs, base = lake.filesystem()
    info = fs.get_file_info(f"{base}/{stored.key}")
    assert (info.type, info.size) == (pafs.FileType.File, len(DATA))
    if lake.is_s3:
        assert isinstance(fs, pafs.S3FileSystem)
        assert base == lake.uri.removeprefix("s3://")
    else:
        assert isinstance(fs, pafs.LocalFileSystem)
        assert base == lake.uri


def test_s3_objects_land_in_the_bucket_under_the_prefix(moto_s3: MotoS3) -> None:
    lake = Lake.from_settings(s3_settings(moto_s3, prefix="objects-check"))
    stored = lake.put_object(DIR, "primary.htm", DATA)
    body = (
        moto_s3.client().get_object(Bucket=moto_s3.bucket, Key=f"objects-check/{stored.key}")["Body"].read()
    )
    assert body == DATA


def test_local_lake_from_settings_and_relative_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lake = Lake("lakehouse", {"AWS_REGION": "ignored"})
    assert (lake.uri, lake.is_s3, lake.storage_options) == (str(tmp_path / "lakehouse"), False, {})
    with pytest.raises(ValueError, match="local folder or s3://"):
        Lake("gs://bucket/x")


def test_a_failed_local_write_leaves_no_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = Lake(str(tmp_path / "lakehouse"))

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        lake.put_object(DIR, "primary.htm", DATA)
    assert lake.object_exists(f"{DIR}/{SHA}/primary.htm") is False
    assert list((tmp_path / "lakehouse" / DIR / SHA).iterdir()) == []  # the temporary file is gone too
    monkeypatch.undo()
    assert lake.put_object(DIR, "primary.htm", DATA).created is True
    assert sorted(p.name for p in (tmp_path / "lakehouse" / DIR / SHA).iterdir()) == ["primary.htm"]
