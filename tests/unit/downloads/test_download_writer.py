"""The ``.part`` being written (app/catalog/download_writer.py): only verified bytes become the
file; anything else is deleted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.catalog.download_storage import part_path, sidecar_path
from app.catalog.download_writer import CHUNK, PartialWriter, hash_prefix
from app.errors import ChecksumMismatchError, DownloadPaused
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import REPO, download, publish, write_partial


def test_wrong_bytes_are_deleted(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub)
    fake_hub.faults(REPO, file.filename).wrong_bytes = True

    with pytest.raises(ChecksumMismatchError) as caught:
        download(fake_hub, file, models_dir / "tiny.gguf")

    assert "does not match its published checksum; it was deleted" in caught.value.message
    assert list(models_dir.iterdir()) == []


def test_a_corrupt_partial_is_caught_by_the_checksum(fake_hub: FakeHub, models_dir: Path) -> None:
    """The sidecar matches but the bytes on disk are wrong (a crash, a bad disk)."""
    file = publish(fake_hub)
    dest = models_dir / "tiny.gguf"
    revision = fake_hub.repo(REPO).commit
    write_partial(dest, b"\0" * 1000, sha256=file.sha256, size=file.size, revision=revision)

    with pytest.raises(ChecksumMismatchError):
        download(fake_hub, file, dest)

    assert list(models_dir.iterdir()) == []


def start_partial(dest: Path, data: bytes = b"") -> None:
    part_path(dest).write_bytes(data)
    sidecar_path(dest).write_text("{}")


def test_finish_installs_the_verified_bytes_and_drops_the_sidecar(tmp_path: Path) -> None:
    data = b"hearth" * 1000
    dest = tmp_path / "model.gguf"
    start_partial(dest, data[:1000])
    checked: list[int] = []
    with PartialWriter(dest, dest.name, len(data), sha256_of(data)) as writer:
        writer.resume(1000, check_stop=lambda: None, hashed=checked.append)
        writer.seek_end()
        writer.write(data[1000:4000])
        writer.write(data[4000:])
        assert writer.offset == len(data)
        writer.finish()
    assert checked == [1000]
    assert dest.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.gguf"]


def test_more_bytes_than_the_file_has_are_refused(tmp_path: Path) -> None:
    dest = tmp_path / "model.gguf"
    start_partial(dest)
    with PartialWriter(dest, dest.name, 10, sha256_of(b"0123456789")) as writer:
        writer.write(b"01234")
        with pytest.raises(ChecksumMismatchError, match=r"more bytes than model\.gguf has"):
            writer.write(b"567890")
        assert writer.offset == 5


def test_restart_forgets_every_byte(tmp_path: Path) -> None:
    data = b"the whole file"
    dest = tmp_path / "model.gguf"
    start_partial(dest, b"something else")
    with PartialWriter(dest, dest.name, len(data), sha256_of(data)) as writer:
        writer.resume(len(b"something else"), check_stop=lambda: None, hashed=lambda _: None)
        writer.restart()
        assert part_path(dest).stat().st_size == 0
        writer.write(data)
        writer.finish()
    assert dest.read_bytes() == data


def test_a_mismatch_leaves_the_destination_alone(tmp_path: Path) -> None:
    dest = tmp_path / "model.gguf"
    start_partial(dest)
    with PartialWriter(dest, dest.name, 4, sha256_of(b"good")) as writer:
        writer.write(b"evil")
        with pytest.raises(ChecksumMismatchError, match="does not match its published checksum"):
            writer.finish()
    assert not dest.exists()
    assert part_path(dest).read_bytes() == b"evil"  # download.py deletes it


def test_hash_prefix_stops_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (3 * CHUNK))
    asked: list[int] = []

    def check_stop() -> None:
        if asked:
            raise DownloadPaused("paused")

    with path.open("rb") as file, pytest.raises(DownloadPaused):
        hash_prefix(file, 3 * CHUNK, check_stop=check_stop, hashed=asked.append)
    assert asked == [CHUNK]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
