"""Checks that a file is a usable GGUF model before llama.cpp sees it.

llama.cpp reports a bad file with a bare "failed to load model" at best and aborts the
process at worst. Reading the header ourselves first lets us name the file and say plainly
what is wrong with it.
"""

from __future__ import annotations

from pathlib import Path

from app.errors import ModelFileError

GGUF_MAGIC = b"GGUF"


def _not_usable(path: Path, reason: str) -> ModelFileError:
    return ModelFileError(
        f"{path} is not a usable GGUF model: {reason}. "
        "Download the model again or choose another file."
    )


def check_gguf_file(path: Path) -> None:
    """Raise ModelFileError unless `path` holds a complete GGUF model file."""
    if not path.exists():
        raise ModelFileError(f"There is no model file at {path}. Check the path and try again.")
    if not path.is_file():
        raise ModelFileError(f"{path} is a folder, not a model file. Choose a .gguf file.")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelFileError(
            f"Hearth cannot read {path} ({exc.strerror}). Check that the file is readable."
        ) from exc
    if size == 0:
        raise _not_usable(path, "the file is empty")
    if magic != GGUF_MAGIC:
        raise _not_usable(path, "it does not start with the GGUF signature")
    _check_layout(path, size)


def _check_layout(path: Path, size: int) -> None:
    """Parse the header and tensor table; every tensor's data must lie inside the file."""
    from gguf import GGUFReader  # heavy (numpy); only needed here

    try:
        reader = GGUFReader(path, "r")
    except Exception as exc:  # the reader raises many kinds on a damaged header
        raise _not_usable(path, f"its header is damaged ({type(exc).__name__})") from exc
    if not reader.tensors:
        raise _not_usable(path, "it holds no tensors")
    end = max(t.data_offset + int(t.n_bytes) for t in reader.tensors)
    if end > size:
        raise _not_usable(
            path, f"the file is incomplete ({size:,} of at least {end:,} bytes; truncated?)"
        )
