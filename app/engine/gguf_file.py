"""Checks that a file is a usable GGUF model before llama.cpp sees it, and summarizes it.

llama.cpp reports a bad file with a bare "failed to load model" at best and aborts the
process at worst. Reading the header ourselves first (gguf_header.py, fast even for large
vocabularies) lets us name the file and say plainly what is wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.engine.gguf_header import GgufHeader, read_gguf_header


@dataclass(frozen=True)
class GgufSummary:
    """What a GGUF header says about a model, for listings and import reports."""

    name: str
    architecture: str
    context_length: int | None
    quantization: str | None
    has_chat_template: bool
    file_size: int


def check_gguf_file(path: Path) -> None:
    """Raise ModelFileError unless `path` holds a complete GGUF model file."""
    read_gguf_header(path)


def inspect_gguf_file(path: Path) -> GgufSummary:
    """Validate `path` like check_gguf_file and summarize its header (one parse)."""
    return summarize(read_gguf_header(path), path)


def summarize(header: GgufHeader, path: Path) -> GgufSummary:
    from gguf import LlamaFileType

    kv = header.kv
    architecture = str(kv.get("general.architecture") or "unknown")
    context = kv.get(f"{architecture}.context_length")
    file_type = kv.get("general.file_type")
    quantization = None
    if isinstance(file_type, int) and file_type in LlamaFileType._value2member_map_:
        quantization = LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    return GgufSummary(
        name=str(kv.get("general.name") or path.stem),
        architecture=architecture,
        context_length=int(context) if isinstance(context, int) else None,
        quantization=quantization,
        has_chat_template=bool(kv.get("tokenizer.chat_template")),
        file_size=header.file_size,
    )
