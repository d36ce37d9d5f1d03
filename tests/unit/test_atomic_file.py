"""write_atomically: the old file or the new one, never a part, and no temporary left over."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.atomic_file import write_atomically, written_beside


def test_replaces_the_file_and_leaves_only_it(tmp_path: Path) -> None:
    target = tmp_path / "deeper" / "settings.json"
    write_atomically(target, "first\n")
    write_atomically(target, "second\n")
    assert target.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_new_file_is_readable_by_its_owner_alone(tmp_path: Path) -> None:
    target = tmp_path / "servers.json"
    write_atomically(target, "{}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failure_before_the_rename_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "presets.json"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), written_beside(target, "new\n") as tmp:
        assert tmp.parent == tmp_path
        assert tmp.read_text(encoding="utf-8") == "new\n"
        raise RuntimeError("crashed before moving it into place")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["presets.json"]


def test_two_writers_get_their_own_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "window.json"
    with written_beside(target, "a") as first, written_beside(target, "b") as second:
        assert first != second
        assert (first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")) == ("a", "b")
