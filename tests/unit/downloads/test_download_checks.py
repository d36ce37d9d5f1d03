"""What a download checks before fetching a byte (app/catalog/download_checks.py): the file is
the one expected, and it fits on the disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import DiskSpaceError, DownloadError
from app.units import human_size
from tests.support.fake_hub import FakeHub
from tests.unit.downloads.conftest import REPO, download, publish, write_partial


def test_not_enough_disk_space_fails_before_any_byte(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 2_000_000)
    seen: list[Path] = []

    def disk_free(folder: Path) -> int:
        seen.append(folder)
        return 1_500_000

    with pytest.raises(DiskSpaceError) as caught:
        download(fake_hub, file, models_dir / "tiny.gguf", disk_free=disk_free)

    message = caught.value.message
    assert f"needs {human_size(2_020_000)} more" in message
    assert f"only {human_size(1_500_000)} is free" in message
    assert seen == [models_dir]
    assert fake_hub.requests_for(method="GET") == []
    assert list(models_dir.iterdir()) == []


def test_disk_check_counts_only_the_rest(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 1_000_000)
    dest = models_dir / "tiny.gguf"
    revision = fake_hub.repo(REPO).commit
    write_partial(dest, file.data[:800_000], sha256=file.sha256, size=file.size, revision=revision)

    download(fake_hub, file, dest, disk_free=lambda _: 210_000)  # 200 kB + 1 % of 1 MB

    assert dest.read_bytes() == file.data


def test_a_catalog_checksum_that_disagrees_with_the_hub(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    file = publish(fake_hub)
    with pytest.raises(DownloadError, match="catalog entry is out of date"):
        download(fake_hub, file, models_dir / "tiny.gguf", expected_sha256="ab" * 32)
    assert fake_hub.requests_for(method="GET") == []


def test_a_catalog_size_that_disagrees_with_the_hub(fake_hub: FakeHub, models_dir: Path) -> None:
    file = publish(fake_hub, 300_000)
    with pytest.raises(DownloadError) as caught:
        download(fake_hub, file, models_dir / "tiny.gguf", expected_size=file.size + 1)
    assert f"catalog expects {human_size(file.size + 1)}" in caught.value.message
    assert "Nothing was downloaded" in caught.value.message
    assert fake_hub.requests_for(method="GET") == []
    assert list(models_dir.iterdir()) == []


def test_a_file_without_a_published_checksum_is_refused(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    """Not stored with LFS: the hub gives a git blob id, no sha256 to verify the bytes with."""
    file = fake_hub.add_file(REPO, "plain.gguf", size=1000, lfs=False)
    with pytest.raises(DownloadError, match=r"publishes no checksum or size for plain\.gguf"):
        download(fake_hub, file, models_dir / "plain.gguf")
    assert fake_hub.requests_for(method="GET") == []


def test_the_catalog_checksum_pins_a_file_the_hub_gives_none_for(
    fake_hub: FakeHub, models_dir: Path
) -> None:
    file = fake_hub.add_file(REPO, "plain.gguf", size=1000, lfs=False)
    dest = models_dir / "plain.gguf"
    assert download(fake_hub, file, dest, expected_sha256=file.sha256.upper()) == dest
    assert dest.read_bytes() == file.data
