"""Will it fit: how much memory a model needs at a context length, and a verdict for this RAM.

The estimate follows what llama.cpp (llama-cpp-python 0.3.36, CPU) allocates *and touches*
when Hearth loads a model (app/engine/runner.py: n_batch 512, default n_ubatch 512, flash
attention only for a quantized KV cache, llama.cpp's default full-size sliding-window cache),
then fills the context with a long prompt (the worst case: summarizing a document):

- weights: every tensor byte. The file is memory-mapped and llama.cpp prefetches it, so all
  of it becomes resident. (With Q4_0/Q4_K weights on AVX2 CPUs llama.cpp also copies most
  tensors into a repacked buffer; the mapped file pages then stay resident too, but they are
  clean page cache the system reclaims first, so they are counted once.)
- KV cache: exact (see `kv_cache_bytes`); llama.cpp clears it at load, so all of it is touched.
- compute: llama.cpp reserves one graph buffer for the worst 512-token micro-batch, and the
  CPU backend keeps a separate work buffer for type conversions. Only what a real batch uses
  is ever touched, and Hearth asks for logits of one token per batch, so the reservation's
  n_ubatch x n_vocab logits matrix never becomes resident. See `compute_bytes`.
- overhead: a fixed part, plus the tokenizer's tables, which grow with the vocabulary.
- kept states: conversations' KV states the engine keeps in RAM so that they resume at once
  (`kept_states_bytes`; not part of the RSS checks below, which keep no state).

Checked three ways: the graph-buffer formula reproduces llama.cpp's logged "compute buffer
size" to 0.01 MiB for Llama-3.1-8B and Phi-3.5-mini shapes (with and without flash
attention) and for a sweep of small shapes; the engine process's RSS growth after a
full-context prompt is within +2..+8% of the estimate for random f16 models of 50-520 MB at
2k-8k context (tests/bench/bench_fit.py); and zero-weight files with the real Qwen2.5-0.5B
(BPE, 152k tokens) and Gemma 3 1B (sliding window, 262k tokens) shapes came within +1% and
+3%.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from app.catalog.model_shape import ModelShape, shape_from_catalog
from app.engine.protocol import KEPT_STATES_FULL_CONTEXTS, KEPT_STATES_MEMORY_BYTES

if TYPE_CHECKING:
    from app.catalog.catalog import CatalogModel

MiB = 1024 * 1024
GiB = 1024 * MiB

KV_CACHE_TYPES = {"f16": (2, 1), "q8_0": (34, 32), "q4_0": (18, 32)}
"""Bytes per element as (numerator, denominator): ggml's q8_0 block is 32 values in 34
bytes, q4_0 is 32 values in 18 bytes."""

N_UBATCH = 512  # llama.cpp's default micro-batch, which Hearth keeps
CONTEXT_PADDING = 256  # llama.cpp rounds the context (KV cells) up to a multiple of this
HEARTH_SWA_FULL = True
"""runner.py leaves llama.cpp's default swa_full=True: sliding-window layers get a full-size
cache (so that a reused prompt prefix stays valid). False would size them to the window."""

FIXED_OVERHEAD_BYTES = 16 * MiB
"""Measured 12-13 MiB for a model with a 452-token vocabulary, once weights, KV and compute
are subtracted: llama.cpp's graph metadata and thread pool, the sampler, the compiled chat
template, and llama.cpp's own code pages touched for the first time."""

TOKENIZER_BYTES_PER_TOKEN = 400
"""llama.cpp's vocabulary: each token's text, score and attributes, the text-to-id map and
the token-to-piece cache; BPE vocabularies also keep a merge-rank map. Measured ~190 B per
token for SentencePiece and ~320-400 B for BPE vocabularies of 32k-256k tokens."""

GENERIC_8B_FILE_BYTES = 4_920_739_232  # Llama 3.1 8B Instruct Q4_K_M
GENERIC_8B_SHAPE = ModelShape(
    architecture="llama",
    n_layer=32,
    n_head=32,
    n_head_kv=8,
    head_dim_k=128,
    head_dim_v=128,
    n_embd=4096,
    n_vocab=128256,
    context_length=131072,
    weights_bytes=GENERIC_8B_FILE_BYTES,
    n_ff=14336,
    source="file size",
)

FITS_SHARE_OF_AVAILABLE = 0.70
TIGHT_SHARE_OF_TOTAL = 0.85
METAL_SHARE_OF_TOTAL = 0.65
"""On a Mac with Apple silicon the GPU uses the same (unified) memory as everything else, so the
model counts against RAM as on a CPU, but Metal lets one process use only part of it on the GPU
(its recommended working set: about two thirds of RAM on 8-16 GB Macs, more on larger ones). A
model beyond that still runs, with the layers that do not fit left on the slower CPU. This is
an approximation of Metal's figure, which only a running Mac can report."""


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a model needs at `n_ctx` tokens of context; `source` says where the shape came
    from ("header": a GGUF on disk, "catalog": published values before download, "file
    size": a guess from the size alone, see `estimate_from_file_size`)."""

    weights_bytes: int
    kv_bytes: int
    compute_bytes: int
    overhead_bytes: int
    total_bytes: int
    n_ctx: int
    kv_cache_type: str
    source: str
    kept_states_bytes: int = 0  # conversations' states the engine keeps in RAM (see below)


def estimate_memory(
    shape: ModelShape,
    n_ctx: int,
    kv_cache_type: str = "f16",
    n_ubatch: int = N_UBATCH,
    *,
    swa_full: bool = HEARTH_SWA_FULL,
) -> MemoryEstimate:
    """The memory Hearth's engine needs to run `shape` with a full `n_ctx` context."""
    if n_ctx < 1 or n_ubatch < 1:
        raise ValueError(f"n_ctx ({n_ctx}) and n_ubatch ({n_ubatch}) must be positive")
    kv = kv_cache_bytes(shape, n_ctx, kv_cache_type, n_ubatch=n_ubatch, swa_full=swa_full)
    compute = compute_bytes(shape, n_ctx, kv_cache_type, n_ubatch)
    overhead = FIXED_OVERHEAD_BYTES + TOKENIZER_BYTES_PER_TOKEN * shape.n_vocab
    kept = kept_states_bytes(kv)
    return MemoryEstimate(
        weights_bytes=shape.weights_bytes,
        kv_bytes=kv,
        compute_bytes=compute,
        overhead_bytes=overhead,
        total_bytes=shape.weights_bytes + kv + compute + overhead + kept,
        n_ctx=n_ctx,
        kv_cache_type=kv_cache_type,
        source=shape.source,
        kept_states_bytes=kept,
    )


def kept_states_bytes(full_kv_bytes: int) -> int:
    """RAM the engine may fill with conversations' saved states (app/engine/kept_states.py):
    together at most one full context's KV cache, within a fixed budget (states beyond that
    are restored from disk, which is slower but still far quicker than re-reading)."""
    return min(KEPT_STATES_MEMORY_BYTES, KEPT_STATES_FULL_CONTEXTS * full_kv_bytes)


def estimate_from_file_size(
    file_size: int, n_ctx: int, kv_cache_type: str = "f16"
) -> MemoryEstimate:
    """A cautious estimate for a GGUF known only by its size (a Hub file not yet read).

    Weights are the file size; everything else assumes an 8B-class Llama 3 shape (32 layers,
    8 KV heads of 128 dims, 32 query heads, a 128k vocabulary), which is at the generous end
    for models up to 8B; bigger files get proportionally more layers. Prefer
    `shape_from_gguf` or `shape_from_catalog` whenever the header or the catalog is at hand.
    """
    n_layer = max(32, round(32 * file_size / GENERIC_8B_FILE_BYTES))
    shape = replace(GENERIC_8B_SHAPE, n_layer=n_layer, weights_bytes=file_size)
    return estimate_memory(shape, n_ctx, kv_cache_type)


def padded_context(n_ctx: int) -> int:
    """The number of KV cells llama.cpp allocates for `n_ctx`."""
    return -(-n_ctx // CONTEXT_PADDING) * CONTEXT_PADDING


def kv_cache_bytes(
    shape: ModelShape,
    n_ctx: int,
    kv_cache_type: str = "f16",
    *,
    n_ubatch: int = N_UBATCH,
    swa_full: bool = HEARTH_SWA_FULL,
) -> int:
    """Keys and values of every layer: cells x kv heads x (key + value dims) x element size.

    A sliding-window layer only ever attends to the last `sliding_window` tokens; with
    swa_full=False llama.cpp sizes its cache to the window plus one micro-batch (padded).
    Encoder-only embedding models have no KV cache at all.
    """
    if kv_cache_type not in KV_CACHE_TYPES:
        raise ValueError(f"unknown KV cache type {kv_cache_type!r}")
    if not shape.has_kv_cache:
        return 0
    numerator, denominator = KV_CACHE_TYPES[kv_cache_type]
    cells = padded_context(n_ctx)
    swa_cells = cells
    if shape.sliding_window and not swa_full:
        swa_cells = min(cells, padded_context(shape.sliding_window + n_ubatch))
    elements = 0
    for layer in range(shape.n_layer):
        layer_cells = swa_cells if shape.is_swa_layer(layer) else cells
        elements += layer_cells * shape.kv_heads(layer) * (shape.head_dim_k + shape.head_dim_v)
    return elements * numerator // denominator


def compute_bytes(
    shape: ModelShape, n_ctx: int, kv_cache_type: str = "f16", n_ubatch: int = N_UBATCH
) -> int:
    """Compute buffer plus CPU work buffer touched by a full micro-batch at a full context.

    ggml's allocator keeps the graph inputs for the whole graph (the attention mask: f32
    without flash attention, f16 with it) and reuses the rest layer by layer, so the buffer
    is the mask plus the larger of two phases, in f32 activations of n_ub tokens:
    - attention without flash attention: the KQ scores (n_kv x n_head per token) plus the
      residual, normed input, Q, output (about 5 x n_embd) and the new K and V;
    - the feed-forward block: gate, up and their product (3 x n_ff) plus about 4 x n_embd.
    With flash attention the scores are never materialised. The work buffer holds the
    softmaxed scores converted to f16 for the KQ x V product (n_kv x n_head per token);
    with flash attention only the f16 copy of a matmul input (max(n_ff, n_embd)).
    """
    n_ub = min(n_ubatch, n_ctx)
    n_kv = padded_context(n_ctx)
    flash = kv_cache_type != "f16"  # as in runner.py: a quantized V cache needs it
    n_embd, n_ff = shape.n_embd, shape.ffn_width
    n_embd_kv = max(shape.kv_heads(layer) for layer in range(shape.n_layer)) * max(
        shape.head_dim_k, shape.head_dim_v
    )
    feed_forward = 4 * n_ub * (3 * n_ff + 4 * n_embd)
    conversion = 2 * n_ub * max(n_ff, n_embd)
    if flash:
        return 2 * n_ub * n_kv + feed_forward + conversion
    attention = 4 * n_ub * (n_kv * shape.n_head + 5 * n_embd + 2 * n_embd_kv)
    mask = 4 * n_ub * n_kv
    work = max(2 * n_ub * n_kv * shape.n_head, conversion)
    return mask + max(attention, feed_forward) + work


# --- the verdict ---------------------------------------------------------------------------


class FitLabel(StrEnum):
    FITS = "Fits"
    TIGHT = "Tight"
    WONT_FIT = "Won't fit"


@dataclass(frozen=True)
class FitVerdict:
    label: FitLabel
    estimate: MemoryEstimate
    total_ram: int
    available_ram: int
    explanation: str  # one line for people, with the numbers in GB


def judge_fit(
    estimate: MemoryEstimate,
    total_ram: int,
    available_ram: int,
    gpu_budget: int | None = None,
) -> FitVerdict:
    """Fits: within 70% of the free memory (room for the system and the app to grow).
    Tight: within the free memory, or within 85% of all memory if other apps are closed.
    Won't fit: anything more. With a `gpu_budget` (unified memory, see `gpu_budget_here`), a
    model that fits in RAM but not in the GPU's share of it is tight: it runs, partly on the CPU.
    """
    needed = estimate.total_bytes
    if needed <= FITS_SHARE_OF_AVAILABLE * available_ram:
        label, advice = FitLabel.FITS, ""
        if gpu_budget is not None and needed > gpu_budget:
            label = FitLabel.TIGHT
            advice = (
                f" Only about {_gb(gpu_budget)} GB can be on the GPU: the rest runs on the "
                "slower CPU."
            )
    elif needed <= available_ram or needed <= TIGHT_SHARE_OF_TOTAL * total_ram:
        label, advice = FitLabel.TIGHT, " Close other apps before loading it."
    else:
        label, advice = FitLabel.WONT_FIT, " Choose a smaller model or a shorter context."
    explanation = (
        f"Needs about {_gb(needed)} GB at {estimate.n_ctx:,} tokens of context; "
        f"{_gb(available_ram)} GB of {_gb(total_ram)} GB is free.{advice}"
    )
    return FitVerdict(label, estimate, total_ram, available_ram, explanation)


def judge_fit_now(estimate: MemoryEstimate) -> FitVerdict:
    """`judge_fit` with this computer's memory as it is right now."""
    import psutil

    memory = psutil.virtual_memory()
    total = int(memory.total)
    return judge_fit(estimate, total, int(memory.available), gpu_budget_here(total))


def gpu_budget_here(total_ram: int) -> int | None:
    """The GPU's share of memory on a Mac with Apple silicon (Metal); None elsewhere (a CPU
    build, or a GPU with memory of its own, which the estimate does not count)."""
    import platform
    import sys

    if sys.platform == "darwin" and platform.machine() == "arm64":
        return int(METAL_SHARE_OF_TOTAL * total_ram)
    return None


def recommend_model(
    models: list[CatalogModel],
    total_ram: int,
    available_ram: int,
    n_ctx: int = 4096,
    *,
    gpu_budget: int | None = None,
) -> CatalogModel:
    """The most capable chat model that fits, else the smallest chat model.

    "Fits" is `judge_fit`'s verdict with the same `gpu_budget` the per-model verdicts use
    (`gpu_budget_here`), so the pick is always a model the catalog shows as fitting: on a Mac
    a model beyond Metal's share runs partly on the CPU and is only tight.
    Among those that fit, prefer models good for all of chat, summaries and e-mail, then
    permissive licenses, then more parameters, then the smaller file.
    """
    chat_models = [m for m in models if m.kind == "chat"]
    if not chat_models:
        raise ValueError("the catalog has no chat models")

    def fits(model: CatalogModel) -> bool:
        estimate = estimate_memory(shape_from_catalog(model), n_ctx)
        return judge_fit(estimate, total_ram, available_ram, gpu_budget).label is FitLabel.FITS

    fitting = [m for m in chat_models if fits(m)]
    if not fitting:
        return min(chat_models, key=lambda m: (m.parameters_exact, m.size_bytes))
    all_jobs = {"chat", "summarize", "email"}
    return max(
        fitting,
        key=lambda m: (
            all_jobs <= set(m.good_for),
            m.license.is_permissive,
            m.parameters_exact,
            -m.size_bytes,
        ),
    )


def _gb(n_bytes: float) -> str:
    """GB as operating systems show memory (units of 1024^3 bytes), one decimal."""
    return f"{n_bytes / GiB:,.1f}"
