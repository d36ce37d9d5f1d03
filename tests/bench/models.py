"""Realistic-size random-weight models for the benchmarks, generated once and cached.

A tiny test model measures Hearth's overhead against almost no compute, which flatters
nothing and proves little: these models have the shapes of real small models, so a figure
such as "Hearth decodes at 0.98x raw llama.cpp" is measured against real matrix work.

- 0.5B: the shape of Qwen2.5-0.5B (n_embd 896, 24 layers, 14 heads, 2 KV heads, n_ff 4864);
- 1.5B: the shape of Qwen2.5-1.5B (n_embd 1536, 28 layers, 12 heads, 2 KV heads, n_ff 8960);

each as a qwen2 graph (biases on q, k, v) or a llama one, in Q8_0 or Q4_0, with Qwen's
151,936-token vocabulary (synthetic beyond the shared test vocabulary; see tiny_gguf). The
output matrix is not tied to the embeddings, so the files are a little larger than the real
ones (0.67 GB and 1.9 GB in Q8_0), but the work per token is the same. The weights are
random (speed never depends on their values) and arranged so the model never ends a reply:
every run generates exactly max_tokens.

Files live in `$HEARTH_BENCH_CACHE` or `~/.cache/hearth-bench/models` (XDG_CACHE_HOME is
honoured), named by what made them, so a change to the shape or the generator writes a new
file. Writing one takes about 20 s (0.5B) to 80 s (1.5B) on a 2-core machine.
`.venv/bin/python -m tests.bench.models` writes all eight and prints where they are.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TypedDict

import gguf

from tests.support.tiny_gguf import write_random_model

Size = Literal["0.5B", "1.5B"]
Architecture = Literal["qwen2", "llama"]
Quant = Literal["Q8_0", "Q4_0"]


class Shape(TypedDict):
    n_embd: int
    n_layer: int
    n_head: int
    n_kv_head: int
    n_ff: int


SHAPES: Final[dict[Size, Shape]] = {
    "0.5B": {"n_embd": 896, "n_layer": 24, "n_head": 14, "n_kv_head": 2, "n_ff": 4864},
    "1.5B": {"n_embd": 1536, "n_layer": 28, "n_head": 12, "n_kv_head": 2, "n_ff": 8960},
}
N_VOCAB: Final = 151_936  # Qwen2.5's
CONTEXT_LENGTH: Final = 32_768
BLOCK_STD: Final = 0.002  # see write_random_model: keeps a 1.5B shape from ever ending
GENERATOR: Final = 2  # bump when write_random_model changes what it writes


@dataclass(frozen=True)
class BenchModel:
    """One of the eight: which size, graph and weight type."""

    size: Size
    architecture: Architecture
    quant: Quant

    @property
    def label(self) -> str:
        return f"{self.architecture} {self.size} {self.quant}"

    @property
    def file_name(self) -> str:
        recipe = repr(
            (
                SHAPES[self.size],
                self.architecture,
                self.quant,
                N_VOCAB,
                CONTEXT_LENGTH,
                BLOCK_STD,
                GENERATOR,
            )
        )
        key = hashlib.sha256(recipe.encode()).hexdigest()[:12]
        return f"random-{self.architecture}-{self.size}-{self.quant}-{key}.gguf"


ALL_MODELS: Final = tuple(
    BenchModel(size, architecture, quant)
    for size in SHAPES
    for architecture in ("qwen2", "llama")
    for quant in ("Q8_0", "Q4_0")
)
QUICK_MODEL: Final = BenchModel("0.5B", "qwen2", "Q8_0")


def cache_folder() -> Path:
    explicit = os.environ.get("HEARTH_BENCH_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hearth-bench" / "models"


def model_file(model: BenchModel) -> Path:
    """The model's file, written first if the cache does not have it yet.

    Written under a temporary name and renamed, so an interrupted run leaves no half file."""
    path = cache_folder() / model.file_name
    if path.exists():
        return path
    partial = path.with_suffix(f".{os.getpid()}.part")
    started = time.perf_counter()
    print(f"   writing the {model.label} model to {path} ...", file=sys.stderr, flush=True)
    try:
        write_random_model(
            partial,
            **SHAPES[model.size],
            context_length=CONTEXT_LENGTH,
            name=f"Random {model.label}",
            architecture=model.architecture,
            n_vocab=N_VOCAB,
            weight_type=gguf.GGMLQuantizationType[model.quant],
            block_std=BLOCK_STD,
        )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    print(f"   ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return path


if __name__ == "__main__":
    for each in ALL_MODELS:
        written = model_file(each)
        print(f"{each.label}: {written} ({written.stat().st_size / 1e9:.2f} GB)")
