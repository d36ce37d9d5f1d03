"""A model's shape: the hyper-parameters that decide how much memory it needs.

Two sources: the header of a GGUF file on disk (`shape_from_gguf`, exact) and the catalog's
published config.json values (`shape_from_catalog`, before download).

The header is read by app/engine/gguf_header.py (fast even for 262k-token vocabularies).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app.catalog.catalog import CatalogModel
from app.engine.gguf_header import GgufArray, GgufHeader, not_usable, read_gguf_header

ShapeSource = Literal["header", "catalog", "file size"]

DEFAULT_SWA_PATTERNS = {"gemma2": 2, "gemma3": 6, "cohere2": 4}
"""llama.cpp's built-in sliding-window layouts for architectures whose GGUF carries only the
window size: of every n layers, n - 1 are local and the last one is global."""

ENCODER_ARCHITECTURES = frozenset(
    {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "neo-bert", "t5encoder"}
)
"""Non-causal embedding models: llama.cpp runs them without a KV cache."""


@dataclass(frozen=True)
class ModelShape:
    """What memory estimates need to know about a model.

    `n_head_kv_per_layer` (hybrid and variable-width models, from a per-layer header array)
    and `swa_layers` (an explicit per-layer sliding-window flag array) are empty for the
    common uniform case; `n_ff` 0 means unknown (estimates then assume 4 x n_embd).
    """

    architecture: str
    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim_k: int
    head_dim_v: int
    n_embd: int
    n_vocab: int
    context_length: int
    weights_bytes: int
    sliding_window: int | None = None
    sliding_window_pattern: int | None = None
    n_ff: int = 0
    n_head_kv_per_layer: tuple[int, ...] = ()
    swa_layers: tuple[bool, ...] = ()
    source: ShapeSource = "header"

    @property
    def has_kv_cache(self) -> bool:
        return self.architecture not in ENCODER_ARCHITECTURES

    @property
    def ffn_width(self) -> int:
        return self.n_ff or 4 * self.n_embd

    def kv_heads(self, layer: int) -> int:
        if self.n_head_kv_per_layer:
            return self.n_head_kv_per_layer[layer]
        return self.n_head_kv

    def is_swa_layer(self, layer: int) -> bool:
        """Whether `layer` uses sliding-window attention (llama.cpp's rule for patterns)."""
        if self.swa_layers:
            return self.swa_layers[layer]
        pattern = self.sliding_window_pattern
        if not self.sliding_window or pattern is None:
            return False  # unknown layout: assume global attention (the larger cache)
        return layer % pattern < pattern - 1


def shape_from_catalog(model: CatalogModel) -> ModelShape:
    """The shape from the catalog's published config.json; weights ~ the file size."""
    shape = model.shape
    return ModelShape(
        architecture=model.architecture,
        n_layer=shape.n_layer,
        n_head=shape.n_head,
        n_head_kv=shape.n_head_kv,
        head_dim_k=shape.head_dim,
        head_dim_v=shape.head_dim,
        n_embd=shape.n_embd,
        n_vocab=shape.n_vocab,
        context_length=model.context_length,
        weights_bytes=model.size_bytes,
        sliding_window=shape.sliding_window,
        sliding_window_pattern=shape.sliding_window_pattern,
        n_ff=shape.n_ff,
        source="catalog",
    )


def shape_from_gguf(path: Path) -> ModelShape:
    """Read the shape from a GGUF file's header; ModelFileError if it is not usable."""
    header = read_gguf_header(path)
    try:
        return _shape_from_header(header)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise not_usable(path, f"its header does not describe a usable model ({exc})") from exc


def _shape_from_header(header: GgufHeader) -> ModelShape:
    kv = header.kv
    arch: str = kv["general.architecture"]

    def get(name: str, default: Any = None) -> Any:
        return kv.get(f"{arch}.{name}", default)

    n_layer, n_embd = int(get("block_count")), int(get("embedding_length"))
    n_head = _widest(get("attention.head_count"))
    kv_heads = get("attention.head_count_kv", n_head)
    per_layer = _per_layer(kv_heads, n_layer)
    head_dim_k = int(get("attention.key_length", n_embd // n_head))
    window = int(get("attention.sliding_window", 0)) or None
    pattern, swa_layers = _swa_layout(arch, get("attention.sliding_window_pattern"), n_layer)
    tokens = kv.get("tokenizer.ggml.tokens")
    return ModelShape(
        architecture=arch,
        n_layer=n_layer,
        n_head=n_head,
        n_head_kv=_widest(kv_heads),
        head_dim_k=head_dim_k,
        head_dim_v=int(get("attention.value_length", head_dim_k)),
        n_embd=n_embd,
        n_vocab=tokens.count if isinstance(tokens, GgufArray) else int(get("vocab_size", 0)),
        context_length=int(get("context_length", 0)),
        weights_bytes=header.tensor_bytes,
        sliding_window=window,
        sliding_window_pattern=pattern if window else None,
        n_ff=_widest(get("feed_forward_length", 0)),
        n_head_kv_per_layer=per_layer,
        swa_layers=swa_layers if window else (),
        source="header",
    )


def _widest(value: Any) -> int:
    """A count that may be per layer (an array): the largest layer's."""
    if isinstance(value, GgufArray):
        if not value.values:
            raise ValueError("a per-layer array is empty or too long")
        return int(max(value.values))
    return int(value)


def _per_layer(value: Any, n_layer: int) -> tuple[int, ...]:
    if not isinstance(value, GgufArray):
        return ()
    if value.values is None or len(value.values) != n_layer:
        raise ValueError("a per-layer array does not have one value per layer")
    return tuple(int(v) for v in value.values)


def _swa_layout(arch: str, value: Any, n_layer: int) -> tuple[int | None, tuple[bool, ...]]:
    """The sliding-window pattern (an int) or explicit per-layer flags (a bool array)."""
    if isinstance(value, GgufArray):
        flags = tuple(bool(v) for v in value.values or ())
        if len(flags) != n_layer:
            raise ValueError("the sliding-window layer array does not match the layers")
        return None, flags
    if value is not None:
        return int(value), ()
    return DEFAULT_SWA_PATTERNS.get(arch), ()
