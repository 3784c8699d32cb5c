"""Where the lake lives (a local folder or ``s3://bucket/prefix``) and its content-addressed raw objects."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pyarrow.fs as pafs

if TYPE_CHECKING:
    from lake.registry import TableSpec
    from lake.settings import Settings


@dataclass(frozen=True)
class StoredObject:
    """A raw object in the lake.

    Attributes:
        key: Path relative to the lake root, ``{relpath_dir}/{sha256}/{name}``.
        sha256: Hex SHA-256 of the content.
        size: Content length in bytes.
        created: True when this call stored it; False when it was already there (nothing was written).
    """

    key: str
    sha256: str
    size: int
    created: bool


def _check_relpath(value: str, what: str, *, allow_slash: bool) -> str:
    """Reject empty, absolute or ``..`` paths (and any ``/`` in a name)."""
    value = value.rstrip("/") if allow_slash else value
    parts = value.split("/")
    if (
        not value
        or (not allow_slash and len(parts) > 1)
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in value
    ):
        raise ValueError(f"bad object {what}: {value!r}")
    return value


def _option(options: Mapping[str, str], *names: str) -> str:
    """The first of ``names`` present in ``options`` (keys compared case-insensitively), or ''."""
    upper = {k.upper(): v for k, v in options.items()}
    for name in names:
        if upper.get(name):
            return upper[name]
    return ""


class Lake:
    """A lake root and the options to reach it.

    Args:
        uri: A local folder (made absolute) or ``s3://bucket/prefix``.
        storage_options: deltalake/object_store options (``AWS_*`` keys) for S3; ignored locally.

    Raises:
        ValueError: the URI has a scheme other than ``s3``.
    """

    def __init__(self, uri: str, storage_options: Mapping[str, str] | None = None) -> None:
        scheme = urlsplit(uri).scheme if "://" in uri else ""
        if scheme not in ("", "s3"):
            raise ValueError(f"lake URI must be a local folder or s3://bucket/prefix, not {uri!r}")
        self.is_s3 = scheme == "s3"
        self.uri = uri.rstrip("/") if self.is_s3 else str(Path(uri).expanduser().resolve())
        self.storage_options: dict[str, str] = dict(storage_options or {}) if self.is_s3 else {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Lake:
        """The lake described by ``settings`` (``lake_uri`` and ``storage_options()``)."""
        return cls(settings.lake_uri, settings.storage_options())

    def __repr__(self) -> str:
        return f"Lake({self.uri!r})"

    def table_uri(self, spec: TableSpec) -> str:
        """The Delta table URI of ``spec``: ``{lake_uri}/{layer}/{name}``."""
        return f"{self.uri}/{spec.path}"

    def object_uri(self, key: str) -> str:
        """The full URI (or local path) of a raw object key."""
        return f"{self.uri}/{key}"

    def filesystem(self) -> tuple[pafs.FileSystem, str]:
        """A pyarrow filesystem and the lake root's path in it (no scheme).

        Locally a ``LocalFileSystem`` and the absolute folder; on S3 an ``S3FileSystem`` configured from the
        storage options (``AWS_ENDPOINT_URL`` -> ``endpoint_override`` + ``scheme``, ``AWS_REGION`` ->
        ``region``, keys -> ``access_key``/``secret_key``/``session_token``) and ``bucket/prefix``.
        """
        if not self.is_s3:
            return pafs.LocalFileSystem(), self.uri
        opts = self.storage_options
        kwargs: dict[str, str] = {}
        region = _option(opts, "AWS_REGION", "AWS_DEFAULT_REGION", "REGION")
        if region:
            kwargs["region"] = region
        endpoint = _option(opts, "AWS_ENDPOINT_URL", "AWS_ENDPOINT", "ENDPOINT_URL", "ENDPOINT")
        if endpoint:
            parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
            kwargs["endpoint_override"] = parts.netloc + parts.path.rstrip("/")
            kwargs["scheme"] = parts.scheme
        access_key = _option(opts, "AWS_ACCESS_KEY_ID", "ACCESS_KEY_ID")
        if access_key:
            kwargs["access_key"] = access_key
            kwargs["secret_key"] = _option(opts, "AWS_SECRET_ACCESS_KEY", "SECRET_ACCESS_KEY")
            token = _option(opts, "AWS_SESSION_TOKEN", "SESSION_TOKEN", "AWS_TOKEN", "TOKEN")
            if token:
                kwargs["session_token"] = token
        return pafs.S3FileSystem(**kwargs), self.uri.removeprefix("s3://")

    def put_object(self, relpath_dir: str, name: str, data: bytes) -> StoredObject:
        """Store ``data`` at ``{relpath_dir}/{sha256}/{name}`` unless that key already exists.

        An existing object is never rewritten (its key names its content). The object appears under its
        final key whole or not at all: locally it is written to a temporary file in the same folder and
        hard-linked into place (which fails if the key exists), on S3 it is one PUT (or a multipart upload,
        invisible until completed).

        Args:
            relpath_dir: Folder relative to the lake root, e.g. ``filings/320193/0000320193-23-000106``.
            name: File name, without ``/``.
            data: The content.

        Returns:
            The object's key, hash, size and whether this call created it.

        Raises:
            ValueError: ``relpath_dir`` or ``name`` is empty, absolute or contains ``..``.
        """
        relpath_dir = _check_relpath(relpath_dir, "folder", allow_slash=True)
        name = _check_relpath(name, "name", allow_slash=False)
        digest = hashlib.sha256(data).hexdigest()
        key = f"{relpath_dir}/{digest}/{name}"
        if self.object_exists(key):
            return StoredObject(key, digest, len(data), created=False)
        if self.is_s3:
            fs, base = self.filesystem()
            with fs.open_output_stream(f"{base}/{key}") as stream:
                stream.write(data)
            created = True
        else:
            created = _write_local_once(Path(self.uri) / key, data)
        return StoredObject(key, digest, len(data), created=created)

    def get_object(self, key: str) -> bytes:
        """The content of the raw object ``key``.

        Raises:
            FileNotFoundError: no such object.
        """
        key = _check_relpath(key, "key", allow_slash=True)
        fs, base = self.filesystem()
        with fs.open_input_stream(f"{base}/{key}") as stream:
            return bytes(stream.read())

    def object_exists(self, key: str) -> bool:
        """Whether the raw object ``key`` exists (a folder of that name does not count)."""
        key = _check_relpath(key, "key", allow_slash=True)
        fs, base = self.filesystem()
        return bool(fs.get_file_info(f"{base}/{key}").type == pafs.FileType.File)

    def object_sizes(self, relpath_dir: str) -> dict[str, int]:
        """Key -> size of every raw object under the folder ``relpath_dir`` (one listing; empty when missing).

        Temporary files of an interrupted :meth:`put_object` (``.tmp-*``) are not objects and are left out.
        """
        relpath_dir = _check_relpath(relpath_dir, "folder", allow_slash=True)
        fs, base = self.filesystem()
        root = f"{base}/{relpath_dir}"
        infos = fs.get_file_info(pafs.FileSelector(root, allow_not_found=True, recursive=True))
        return {
            f"{relpath_dir}/{info.path[len(root) + 1 :]}": int(info.size)
            for info in infos
            if info.type == pafs.FileType.File and not info.base_name.startswith(".tmp-")
        }

    def write_state(self, name: str, data: bytes) -> None:
        """Replace the small mutable state file ``_state/{name}`` (e.g. the last build's fingerprint).

        State is the only thing in the lake that is rewritten; it is replaced whole (local: temp file +
        rename; S3: one PUT), never partially.
        """
        name = _check_relpath(name, "name", allow_slash=False)
        if self.is_s3:
            fs, base = self.filesystem()
            with fs.open_output_stream(f"{base}/_state/{name}") as stream:
                stream.write(data)
            return
        path = Path(self.uri) / "_state" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def read_state(self, name: str) -> bytes | None:
        """The state file ``_state/{name}``, or ``None`` when it does not exist."""
        name = _check_relpath(name, "name", allow_slash=False)
        fs, base = self.filesystem()
        try:
            with fs.open_input_stream(f"{base}/_state/{name}") as stream:
                return bytes(stream.read())
        except (FileNotFoundError, OSError):
            return None


def _write_local_once(path: Path, data: bytes) -> bool:
    """Write ``path`` atomically unless it exists; True when this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=f"-{path.name}")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic and never replaces an existing file
        except FileExistsError:
            return False
        except OSError:  # filesystems without hard links: rename, after a last existence check
            if path.exists():
                return False
            tmp.replace(path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
