"""Will it fit: shapes from headers and the catalog, the memory arithmetic, the verdicts.

Expected numbers are worked out by hand from the formulas in app/catalog/fit.py; where
llama.cpp logs the same quantity (KV buffer, compute buffer) its logged value is quoted.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import gguf
import numpy as np
import pytest

from app.catalog import fit
from app.catalog.catalog import CatalogModel
from app.catalog.fit import (
    FitLabel,
    GiB,
    MemoryEstimate,
    MiB,
    compute_bytes,
    estimate_from_file_size,
    estimate_memory,
    judge_fit,
    judge_fit_now,
    kv_cache_bytes,
    recommend_model,
)
from app.catalog.model_shape import ModelShape, shape_from_catalog, shape_from_gguf
from app.errors import ModelFileError
from tests.support.tiny_gguf import build_vocab, write_random_model, write_scripted_model
from tests.unit.catalog.conftest import entry

LLAMA_8B = ModelShape(
    architecture="llama",
    n_layer=32,
    n_head=32,
    n_head_kv=8,
    head_dim_k=128,
    head_dim_v=128,
    n_embd=4096,
    n_vocab=128256,
    context_length=131072,
    weights_bytes=4_920_739_232,
    n_ff=14336,
)


# --- KV cache ------------------------------------------------------------------------------


def test_kv_cache_of_llama_3_1_8b_at_4096_tokens_is_512_mib() -> None:
    # 4096 cells x 32 layers x 8 kv heads x (128 + 128) dims x 2 bytes
    assert kv_cache_bytes(LLAMA_8B, 4096) == 4096 * 32 * 8 * 256 * 2 == 512 * MiB


def test_quantized_kv_caches_are_smaller() -> None:
    # llama.cpp logs 272.00 MiB for q8_0 (34 bytes per 32 values) at this size
    assert kv_cache_bytes(LLAMA_8B, 4096, "q8_0") == 272 * MiB
    assert kv_cache_bytes(LLAMA_8B, 4096, "q4_0") == 144 * MiB


def test_kv_cache_is_padded_like_llama_cpp() -> None:
    # llama.cpp rounds the context up to a multiple of 256 cells
    assert kv_cache_bytes(LLAMA_8B, 4000) == kv_cache_bytes(LLAMA_8B, 4096)
    assert kv_cache_bytes(LLAMA_8B, 1) == kv_cache_bytes(LLAMA_8B, 256)


def test_unknown_kv_cache_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown KV cache type"):
        kv_cache_bytes(LLAMA_8B, 4096, "q2_k")


def test_gemma_sliding_window_layers_need_less_than_the_naive_formula(
    catalog: list[CatalogModel],
) -> None:
    gemma = shape_from_catalog(entry(catalog, "gemma-3-1b-it-q4_k_m"))
    naive = 4096 * 26 * 1 * (256 + 256) * 2  # every layer caching the whole context
    assert naive == 104 * MiB
    # 4 global layers keep 4096 cells; 22 local ones keep window 512 + one 512-token batch
    windowed = (4 * 4096 + 22 * 1024) * 1 * 512 * 2
    assert kv_cache_bytes(gemma, 4096, swa_full=False) == windowed == 38 * MiB  # as logged
    assert kv_cache_bytes(gemma, 4096, swa_full=False) < naive
    # Hearth's runner keeps llama.cpp's default full-size SWA cache, so the default is naive
    assert kv_cache_bytes(gemma, 4096) == naive
    # a short context is not cut further by the window
    assert kv_cache_bytes(gemma, 512, swa_full=False) == kv_cache_bytes(gemma, 512)


def test_sliding_window_pattern_marks_every_sixth_layer_global(
    catalog: list[CatalogModel],
) -> None:
    gemma_1b = shape_from_catalog(entry(catalog, "gemma-3-1b-it-q4_k_m"))
    gemma_4b = shape_from_catalog(entry(catalog, "gemma-3-4b-it-q4_k_m"))
    assert [i for i in range(26) if not gemma_1b.is_swa_layer(i)] == [5, 11, 17, 23]
    assert sum(not gemma_4b.is_swa_layer(i) for i in range(34)) == 5
    assert not any(LLAMA_8B.is_swa_layer(i) for i in range(32))


def test_encoder_embedding_models_have_no_kv_cache(catalog: list[CatalogModel]) -> None:
    bge = shape_from_catalog(entry(catalog, "bge-small-en-v1.5-q8_0"))
    assert kv_cache_bytes(bge, 512) == 0


# --- compute and totals --------------------------------------------------------------------


def test_compute_without_flash_attention_matches_llama_cpp() -> None:
    # llama.cpp's reserved graph for this shape at 4096 is 308.01 MiB: the f32 mask
    # (512 x 4096 x 4 = 8 MiB) + scores and activations (4 x 512 x (4096 x 32 + 5 x 4096
    # + 2 x 1024) = 300 MiB); plus the work buffer's f16 scores (2 x 512 x 4096 x 32 = 128 MiB)
    assert compute_bytes(LLAMA_8B, 4096) == (8 + 300 + 128) * MiB


def test_compute_with_flash_attention_does_not_grow_with_heads() -> None:
    # f16 mask 2 x 512 x 4096 = 4 MiB; feed-forward 4 x 512 x (3 x 14336 + 4 x 4096) = 116 MiB;
    # the f16 copy of a matmul input 2 x 512 x 14336 = 14 MiB
    assert compute_bytes(LLAMA_8B, 4096, "q8_0") == (4 + 116 + 14) * MiB
    assert compute_bytes(LLAMA_8B, 16384, "q8_0") < compute_bytes(LLAMA_8B, 16384)


def test_compute_micro_batch_is_capped_by_a_short_context() -> None:
    assert compute_bytes(LLAMA_8B, 128) < compute_bytes(LLAMA_8B, 256)
    assert compute_bytes(LLAMA_8B, 128) == compute_bytes(LLAMA_8B, 128, n_ubatch=128)


def test_estimate_adds_up_its_parts() -> None:
    estimate = estimate_memory(LLAMA_8B, 4096)
    assert estimate.weights_bytes == LLAMA_8B.weights_bytes
    assert estimate.kv_bytes == 512 * MiB
    assert estimate.compute_bytes == 436 * MiB
    assert estimate.overhead_bytes == fit.FIXED_OVERHEAD_BYTES + 400 * 128256
    assert estimate.kept_states_bytes == 512 * MiB  # one full context's KV cache
    assert (
        estimate.total_bytes
        == (estimate.weights_bytes + estimate.kv_bytes + estimate.compute_bytes)
        + estimate.overhead_bytes
        + estimate.kept_states_bytes
    )
    assert (estimate.n_ctx, estimate.kv_cache_type, estimate.source) == (4096, "f16", "header")
    assert 5.9 * GiB < estimate.total_bytes < 6.3 * GiB


def test_kept_states_take_at_most_one_full_context_within_the_budget() -> None:
    assert fit.kept_states_bytes(10 * MiB) == 10 * MiB
    assert fit.kept_states_bytes(900 * MiB) == 512 * MiB


def test_estimate_grows_with_context_and_shrinks_with_a_quantized_cache() -> None:
    short, long = estimate_memory(LLAMA_8B, 2048), estimate_memory(LLAMA_8B, 16384)
    assert short.total_bytes < long.total_bytes
    assert estimate_memory(LLAMA_8B, 16384, "q8_0").total_bytes < long.total_bytes
    with pytest.raises(ValueError, match="must be positive"):
        estimate_memory(LLAMA_8B, 0)


def test_estimate_from_file_size_is_a_cautious_8b_class_guess() -> None:
    guess = estimate_from_file_size(4_920_739_232, 4096)
    assert guess.source == "file size"
    assert guess.total_bytes == estimate_memory(LLAMA_8B, 4096).total_bytes
    bigger = estimate_from_file_size(2 * 4_920_739_232, 4096)
    assert bigger.kv_bytes == 2 * guess.kv_bytes  # twice the layers


# --- shapes --------------------------------------------------------------------------------


def tensor_bytes(path: Path) -> int:
    return sum(int(t.n_bytes) for t in gguf.GGUFReader(path, "r").tensors)


def test_shape_from_gguf_reads_what_was_written(tmp_path: Path) -> None:
    path = write_random_model(
        tmp_path / "m.gguf", n_embd=96, n_layer=3, n_head=6, n_kv_head=2, n_ff=160,
        context_length=2048,
    )  # fmt: skip
    shape = shape_from_gguf(path)
    assert shape == ModelShape(
        architecture="llama",
        n_layer=3,
        n_head=6,
        n_head_kv=2,
        head_dim_k=16,
        head_dim_v=16,
        n_embd=96,
        n_vocab=len(build_vocab()),
        context_length=2048,
        weights_bytes=tensor_bytes(path),
        n_ff=160,
        source="header",
    )
    assert shape.weights_bytes < path.stat().st_size


def test_shape_from_gguf_counts_f32_weights(tmp_path: Path) -> None:
    path = write_scripted_model(tmp_path / "scripted.gguf")
    shape = shape_from_gguf(path)
    assert shape.weights_bytes == tensor_bytes(path)
    assert (shape.n_layer, shape.n_head, shape.n_head_kv, shape.context_length) == (1, 2, 2, 4096)


def write_header(path: Path, arch: str, **keys: object) -> Path:
    """A GGUF with the given hyper-parameters and one small tensor (never loaded)."""
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_block_count(4)
    writer.add_embedding_length(256)
    writer.add_head_count(4)
    writer.add_context_length(8192)
    writer.add_token_list(["a", "b", "c"])
    for name, value in keys.items():
        getattr(writer, f"add_{name}")(value)
    writer.add_tensor("token_embd.weight", np.zeros((3, 256), dtype=np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_shape_from_gguf_uses_the_architectures_sliding_window_layout(tmp_path: Path) -> None:
    path = write_header(tmp_path / "g.gguf", "gemma3", sliding_window=512, key_length=64)
    shape = shape_from_gguf(path)
    assert (shape.sliding_window, shape.sliding_window_pattern) == (512, 6)
    assert (shape.head_dim_k, shape.head_dim_v, shape.n_head_kv) == (64, 64, 4)
    assert (shape.n_vocab, shape.weights_bytes) == (3, 3 * 256 * 2)


def test_shape_from_gguf_handles_per_layer_arrays(tmp_path: Path) -> None:
    path = write_header(
        tmp_path / "h.gguf",
        "llama",
        head_count_kv=[0, 2, 0, 4],  # a hybrid model: recurrent layers keep no KV
        sliding_window=128,
        sliding_window_pattern=[False, True, True, False],
    )
    shape = shape_from_gguf(path)
    assert shape.n_head_kv == 4
    assert shape.n_head_kv_per_layer == (0, 2, 0, 4)
    assert shape.swa_layers == (False, True, True, False)
    # layer 1 (local): 2 heads x (window 128 + batch 512, padded to 768) cells; layer 3
    # (global): 4 heads x 4096 cells; 64 + 64 dims of 2 bytes per head and cell
    assert kv_cache_bytes(shape, 4096, swa_full=False) == (2 * 768 + 4 * 4096) * 128 * 2


def test_shape_from_gguf_refuses_bad_files(bad_model_files: dict[str, Path]) -> None:
    for path in bad_model_files.values():
        with pytest.raises(ModelFileError, match="not a usable GGUF model"):
            shape_from_gguf(path)


def test_shape_from_gguf_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="There is no model file"):
        shape_from_gguf(tmp_path / "absent.gguf")
    with pytest.raises(ModelFileError, match="is a folder"):
        shape_from_gguf(tmp_path)


def test_shape_from_catalog_uses_the_published_values(catalog: list[CatalogModel]) -> None:
    llama = entry(catalog, "llama-3.1-8b-instruct-q4_k_m")
    shape = shape_from_catalog(llama)
    assert shape == replace(LLAMA_8B, source="catalog")
    phi = shape_from_catalog(entry(catalog, "phi-3.5-mini-instruct-q4_k_m"))
    assert (phi.n_head_kv, phi.head_dim_k, phi.weights_bytes) == (32, 96, 2_393_232_672)
    assert kv_cache_bytes(phi, 4096) == 1536 * MiB  # no GQA: three times Llama 8B's cache
    qwen = shape_from_catalog(entry(catalog, "qwen2.5-0.5b-instruct-q4_k_m"))
    assert (qwen.n_layer, qwen.n_head_kv, qwen.head_dim_k, qwen.n_vocab) == (24, 2, 64, 151936)
    assert estimate_memory(qwen, 4096).source == "catalog"


# --- verdicts ------------------------------------------------------------------------------


def needing(n_bytes: float, n_ctx: int = 4096) -> MemoryEstimate:
    total = int(n_bytes)
    return MemoryEstimate(total, 0, 0, 0, total, n_ctx, "f16", "catalog")


def test_judge_fit_fits_with_room_to_spare() -> None:
    verdict = judge_fit(needing(2.1 * GiB), total_ram=16 * GiB, available_ram=int(11.3 * GiB))
    assert verdict.label is FitLabel.FITS
    assert verdict.explanation == (
        "Needs about 2.1 GB at 4,096 tokens of context; 11.3 GB of 16.0 GB is free."
    )
    assert (verdict.total_ram, verdict.available_ram) == (16 * GiB, int(11.3 * GiB))


def test_judge_fit_boundaries() -> None:
    total, free = 16 * GiB, 10 * GiB
    assert judge_fit(needing(7 * GiB), total, free).label is FitLabel.FITS  # exactly 70%
    assert judge_fit(needing(7 * GiB + 1), total, free).label is FitLabel.TIGHT
    assert judge_fit(needing(10 * GiB), total, free).label is FitLabel.TIGHT  # all that's free
    # more than is free, but within 85% of all memory: close other apps
    assert judge_fit(needing(13.6 * GiB), total, free).label is FitLabel.TIGHT
    assert judge_fit(needing(13.7 * GiB), total, free).label is FitLabel.WONT_FIT


def test_judge_fit_explains_tight_and_wont_fit() -> None:
    tight = judge_fit(needing(5 * GiB, 8192), total_ram=8 * GiB, available_ram=6 * GiB)
    assert tight.label == "Tight"
    assert tight.explanation == (
        "Needs about 5.0 GB at 8,192 tokens of context; 6.0 GB of 8.0 GB is free. "
        "Close other apps before loading it."
    )
    no = judge_fit(needing(9 * GiB), total_ram=8 * GiB, available_ram=6 * GiB)
    assert no.label == "Won't fit"
    assert no.explanation.endswith("Choose a smaller model or a shorter context.")


def test_on_unified_memory_a_model_beyond_the_gpu_share_is_tight() -> None:
    """A 16 GB Mac: 10 GB free, Metal takes about 65% of all memory (10.4 GB) on the GPU."""
    budget = int(fit.METAL_SHARE_OF_TOTAL * 16 * GiB)
    small = judge_fit(needing(6 * GiB), 16 * GiB, 10 * GiB, gpu_budget=budget)
    assert small.label is FitLabel.FITS
    # fits in the free RAM (70% of 16 GB free) but not in the GPU's share of it
    large = judge_fit(needing(11 * GiB), 16 * GiB, 16 * GiB, gpu_budget=budget)
    assert large.label is FitLabel.TIGHT
    assert large.explanation.endswith(
        "Only about 10.4 GB can be on the GPU: the rest runs on the slower CPU."
    )
    assert judge_fit(needing(11 * GiB), 16 * GiB, 16 * GiB).label is FitLabel.FITS


def test_only_a_mac_with_apple_silicon_has_a_gpu_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    import platform
    import sys

    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    assert fit.gpu_budget_here(16 * GiB) == int(0.65 * 16 * GiB)
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    assert fit.gpu_budget_here(16 * GiB) is None
    monkeypatch.setattr(sys, "platform", "linux")
    assert fit.gpu_budget_here(16 * GiB) is None


def test_judge_fit_now_reads_this_computers_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    memory = SimpleNamespace(total=32 * GiB, available=20 * GiB)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory)
    verdict = judge_fit_now(needing(4 * GiB))
    assert verdict.label is FitLabel.FITS
    assert (verdict.total_ram, verdict.available_ram) == (32 * GiB, 20 * GiB)


@pytest.mark.parametrize(
    ("total_gb", "free_gb", "expected"),
    [
        (2, 0.4, "smollm2-360m-instruct-q8_0"),  # nothing fits: the smallest chat model
        (4, 2.0, "qwen2.5-1.5b-instruct-q4_k_m"),
        (8, 4.5, "granite-3.3-2b-instruct-q4_k_m"),
        (8, 6.0, "qwen3-4b-q4_k_m"),
        (16, 10.0, "qwen2.5-7b-instruct-q4_k_m"),
        (32, 24.0, "qwen2.5-7b-instruct-q4_k_m"),
    ],
)
def test_recommend_model_for_typical_machines(
    catalog: list[CatalogModel], total_gb: int, free_gb: float, expected: str
) -> None:
    pick = recommend_model(catalog, total_gb * GiB, int(free_gb * GiB))
    assert pick.id == expected
    assert pick.kind == "chat"


MAC_8GB_GPU = int(fit.METAL_SHARE_OF_TOTAL * 8 * GiB)  # Metal's share on an 8 GB Mac


@pytest.mark.parametrize(
    ("total", "free", "gpu_budget", "expected"),
    [
        (8 * GiB, 5 * GiB, None, "granite-3.3-2b-instruct-q4_k_m"),
        (8 * GiB, 5 * GiB, MAC_8GB_GPU, "granite-3.3-2b-instruct-q4_k_m"),  # within the share
        (16 * GiB, 10 * GiB, None, "qwen2.5-7b-instruct-q4_k_m"),
        # The 7B model (5.2 GB) fits in free memory but not in the GPU's share: only tight.
        (8 * GiB, int(7.8 * GiB), None, "qwen2.5-7b-instruct-q4_k_m"),
        (8 * GiB, int(7.8 * GiB), MAC_8GB_GPU, "qwen3-4b-q4_k_m"),
        (16 * GiB, 12 * GiB, 5 * GiB, "qwen3-4b-q4_k_m"),
        (16 * GiB, 12 * GiB, 3 * GiB, "granite-3.3-2b-instruct-q4_k_m"),
    ],
)
def test_recommend_model_judges_fit_with_the_gpu_budget(
    catalog: list[CatalogModel], total: int, free: int, gpu_budget: int | None, expected: str
) -> None:
    """The pick is judged as its own verdict is: with the same GPU budget, so a model the
    catalog shows as tight on a Mac is never the one recommended while another fits."""
    pick = recommend_model(catalog, total, free, 4096, gpu_budget=gpu_budget)
    assert pick.id == expected
    estimate = estimate_memory(shape_from_catalog(pick), 4096)
    assert judge_fit(estimate, total, free, gpu_budget).label is FitLabel.FITS


def test_recommended_models_fit_and_prefer_permissive_licenses(
    catalog: list[CatalogModel],
) -> None:
    total, free = 32 * GiB, 24 * GiB
    pick = recommend_model(catalog, total, free)
    assert pick.license.is_permissive
    assert set(pick.good_for) == {"chat", "summarize", "email"}
    # Llama 3.1 8B is bigger and fits too, but its license has conditions
    llama = entry(catalog, "llama-3.1-8b-instruct-q4_k_m")
    assert llama.parameters_exact > pick.parameters_exact
    verdict = judge_fit(estimate_memory(shape_from_catalog(pick), 4096), total, free)
    assert verdict.label is FitLabel.FITS


def test_recommend_model_needs_chat_models(catalog: list[CatalogModel]) -> None:
    embedders = [m for m in catalog if m.kind == "embedding"]
    with pytest.raises(ValueError, match="no chat models"):
        recommend_model(embedders, 16 * GiB, 8 * GiB)
