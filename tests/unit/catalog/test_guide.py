"""The model guide: size and speed classes, the memory bar, labels, filters, the pick's reason.

Memory figures are fixed here (never this machine's), so every expected value is exact.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.catalog.catalog import CatalogModel
from app.catalog.fit import (
    FitLabel,
    GiB,
    MemoryEstimate,
    estimate_memory,
    judge_fit,
    recommend_model,
)
from app.catalog.guide import (
    CatalogFilter,
    CatalogFit,
    MemoryFigures,
    SizeClass,
    SpeedClass,
    disk_use_text,
    good_for_text,
    languages_text,
    license_text,
    memory_bar,
    recommendation_reason,
    size_class,
    speed_class,
)
from app.catalog.library import InstalledModel
from app.catalog.model_shape import shape_from_catalog
from tests.unit.catalog.conftest import entry


def needing(n_bytes: float) -> MemoryEstimate:
    total = int(n_bytes)
    return MemoryEstimate(total, 0, 0, 0, total, 4096, "f16", "catalog")


# --- judging the whole catalog -------------------------------------------------------------


@pytest.mark.parametrize(
    ("memory", "expected"),
    [
        (MemoryFigures(8 * GiB, 5 * GiB), "granite-3.3-2b-instruct-q4_k_m"),
        (MemoryFigures(16 * GiB, 10 * GiB), "qwen2.5-7b-instruct-q4_k_m"),
        (MemoryFigures(8 * GiB, int(7.8 * GiB), int(0.65 * 8 * GiB)), "qwen3-4b-q4_k_m"),
    ],
)
def test_catalog_fit_judges_every_model_with_the_figures_given(
    catalog: list[CatalogModel], memory: MemoryFigures, expected: str
) -> None:
    fit = CatalogFit.judge(catalog, 4096, memory)
    assert fit.recommended.id == expected
    assert set(fit.verdicts) == {m.id for m in catalog}
    assert fit.verdicts[expected].label is FitLabel.FITS  # the pick's own verdict agrees
    for model in catalog:
        verdict = fit.verdicts[model.id]
        assert (verdict.total_ram, verdict.available_ram) == (memory.total, memory.available)
        estimate = estimate_memory(shape_from_catalog(model), 4096)
        assert verdict == judge_fit(estimate, memory.total, memory.available, memory.gpu_budget)
    assert fit.memory == memory


def test_memory_figures_here_read_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    import psutil

    memory = SimpleNamespace(total=32 * GiB, available=20 * GiB)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory)
    figures = MemoryFigures.here()
    assert (figures.total, figures.available) == (32 * GiB, 20 * GiB)


def test_catalog_fit_defaults_to_this_computers_memory(
    catalog: list[CatalogModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    import psutil

    memory = SimpleNamespace(total=16 * GiB, available=10 * GiB)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: memory)
    fit = CatalogFit.judge(catalog, 4096)
    assert fit.recommended == recommend_model(catalog, 16 * GiB, 10 * GiB, 4096)


# --- size and speed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (36_806_944, SizeClass.SMALL),
        (1_499_999_999, SizeClass.SMALL),
        (1_500_000_000, SizeClass.MEDIUM),
        (2_999_999_999, SizeClass.MEDIUM),
        (3_000_000_000, SizeClass.LARGE),
    ],
)
def test_size_classes(size: int, expected: SizeClass) -> None:
    assert size_class(size) is expected


@pytest.mark.parametrize(
    ("tier", "label", "expected"),
    [
        ("fastest", FitLabel.FITS, SpeedClass.FAST),
        ("fast", FitLabel.FITS, SpeedClass.FAST),
        ("balanced", FitLabel.FITS, SpeedClass.MODERATE),
        ("slow", FitLabel.FITS, SpeedClass.SLOW),
        ("fast", FitLabel.TIGHT, SpeedClass.MODERATE),  # short of memory: one step slower
        ("balanced", FitLabel.TIGHT, SpeedClass.SLOW),
        ("slow", FitLabel.TIGHT, SpeedClass.SLOW),
        ("fastest", FitLabel.WONT_FIT, SpeedClass.TOO_BIG),
        ("slow", FitLabel.WONT_FIT, SpeedClass.TOO_BIG),
    ],
)
def test_speed_class_from_the_tier_and_the_fit(
    catalog: list[CatalogModel], tier: str, label: FitLabel, expected: SpeedClass
) -> None:
    model = replace(catalog[0], speed_tier=tier)
    verdict = judge_fit(needing(1 * GiB), 16 * GiB, 8 * GiB)
    assert speed_class(model, replace(verdict, label=label)) is expected


# --- the memory bar ------------------------------------------------------------------------


def test_the_memory_bar_of_a_model_that_fits() -> None:
    verdict = judge_fit(needing(4 * GiB), 16 * GiB, 6 * GiB)
    bar = memory_bar(verdict)
    assert (bar.in_use, bar.needed, bar.overflows, bar.gpu_limit) == (0.625, 0.25, False, None)
    assert bar.label is FitLabel.FITS
    assert bar.text == "Needs 4.0 GB; 6.0 GB of 16.0 GB free"
    assert bar.explanation == verdict.explanation


def test_the_memory_bar_stops_at_the_end_and_says_it_overflows() -> None:
    verdict = judge_fit(needing(8 * GiB), 16 * GiB, 6 * GiB)
    bar = memory_bar(verdict)
    assert bar.label is FitLabel.TIGHT  # within 85% of all memory once apps are closed
    assert (bar.in_use, bar.needed, bar.overflows) == (0.625, 0.375, True)
    assert bar.text == "Needs 8.0 GB; 6.0 GB of 16.0 GB free"


def test_the_memory_bar_marks_the_gpu_share_on_a_mac() -> None:
    budget = int(0.65 * 16 * GiB)
    verdict = judge_fit(needing(11 * GiB), 16 * GiB, 16 * GiB, budget)
    bar = memory_bar(verdict, budget)
    assert bar.label is FitLabel.TIGHT
    assert bar.gpu_limit == pytest.approx(0.65)
    assert (bar.in_use, bar.needed, bar.overflows) == (0.0, 11 / 16, False)


# --- what it is good at, languages, license ------------------------------------------------


def test_what_each_model_is_good_at(catalog: list[CatalogModel]) -> None:
    assert good_for_text(entry(catalog, "qwen2.5-1.5b-instruct-q4_k_m")) == (
        "Good for chat, summaries and e-mail writing"
    )
    assert good_for_text(entry(catalog, "gemma-3-1b-it-q4_k_m")) == "Good for chat and summaries"
    assert good_for_text(entry(catalog, "qwen2.5-0.5b-instruct-q4_k_m")) == "Good for chat"
    assert "not a chat model" in good_for_text(entry(catalog, "bge-small-en-v1.5-q8_0"))


def test_languages_text(catalog: list[CatalogModel]) -> None:
    assert languages_text(entry(catalog, "smollm2-1.7b-instruct-q4_k_m")) == "English only"
    assert languages_text(entry(catalog, "llama-3.2-3b-instruct-q4_k_m")) == (
        "English, German, French, Italian and 4 more"
    )
    assert languages_text(entry(catalog, "qwen2.5-7b-instruct-q4_k_m")).startswith(
        "English, Chinese, French, Spanish and 9 more"
    )
    assert languages_text(entry(catalog, "nomic-embed-text-v1.5-q8_0")) == ""


def test_license_text_flags_terms_that_are_not_permissive(catalog: list[CatalogModel]) -> None:
    assert license_text(entry(catalog, "qwen2.5-7b-instruct-q4_k_m")) == (
        "Apache License 2.0",
        False,
    )
    assert license_text(entry(catalog, "qwen2.5-3b-instruct-q4_k_m")) == (
        "Qwen Research License: non-commercial use only",
        True,
    )
    assert license_text(entry(catalog, "llama-3.1-8b-instruct-q4_k_m")) == (
        "Llama 3.1 Community License: conditions apply",
        True,
    )


def test_the_recommendation_says_why(catalog: list[CatalogModel]) -> None:
    model = entry(catalog, "qwen3-4b-q4_k_m")
    fits = judge_fit(needing(2 * GiB), 16 * GiB, 8 * GiB)
    assert recommendation_reason(model, fits) == (
        "The most capable model that fits this computer's free memory; good for chat, "
        "summaries and e-mail writing. Its license lets you use it for anything."
    )
    tight = judge_fit(needing(7 * GiB), 8 * GiB, 2 * GiB)
    assert recommendation_reason(model, tight).startswith("Nothing in the catalog fits")


# --- filters -------------------------------------------------------------------------------


def ids(catalog: list[CatalogModel], wanted: CatalogFilter) -> set[str]:
    return {m.id for m in catalog if wanted.matches(m)}


def test_no_filter_matches_everything(catalog: list[CatalogModel]) -> None:
    assert ids(catalog, CatalogFilter()) == {m.id for m in catalog}


def test_filter_by_size(catalog: list[CatalogModel]) -> None:
    assert ids(catalog, CatalogFilter(size=SizeClass.LARGE)) == {
        "qwen2.5-7b-instruct-q4_k_m",
        "llama-3.1-8b-instruct-q4_k_m",
        "mistral-7b-instruct-v0.3-q4_k_m",
    }
    small = ids(catalog, CatalogFilter(size=SizeClass.SMALL))
    assert "bge-small-en-v1.5-q8_0" in small
    assert all(entry(catalog, i).size_bytes < 1_500_000_000 for i in small)


def test_filter_by_language(catalog: list[CatalogModel]) -> None:
    japanese = ids(catalog, CatalogFilter(language="ja"))
    assert "qwen2.5-1.5b-instruct-q4_k_m" in japanese
    assert "granite-3.3-2b-instruct-q4_k_m" in japanese
    assert "phi-4-mini-instruct-q4_k_m" in japanese
    for model_id in ("llama-3.2-3b-instruct-q4_k_m", "smollm2-1.7b-instruct-q4_k_m"):
        assert model_id not in japanese
    assert not any(entry(catalog, i).kind == "embedding" for i in japanese)


def test_filter_by_use_and_combined(catalog: list[CatalogModel]) -> None:
    email = ids(catalog, CatalogFilter(use="email"))
    assert "gemma-3-1b-it-q4_k_m" not in email
    assert "qwen2.5-0.5b-instruct-q4_k_m" not in email
    assert "nomic-embed-text-v1.5-q8_0" not in email
    assert ids(catalog, CatalogFilter(size=SizeClass.LARGE, language="zh", use="email")) == {
        "qwen2.5-7b-instruct-q4_k_m"
    }
    assert ids(catalog, CatalogFilter(size=SizeClass.LARGE, language="cs")) == set()


# --- installed models ----------------------------------------------------------------------


def test_disk_use_text() -> None:
    def installed(size: int) -> InstalledModel:
        return InstalledModel("m", "M", Path("m.gguf"), size, "import")

    assert disk_use_text([]) == "No model is installed."
    assert disk_use_text([installed(400_000_000)]) == "1 model uses 400 MB of disk space"
    assert disk_use_text([installed(1_000_000_000), installed(500_000_000)]) == (
        "2 models use 1.5 GB of disk space"
    )
