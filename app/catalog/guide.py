"""The model guide: what the catalog tab tells a person about each model, without Qt.

The model manager's catalog tab is meant to answer "which one should I pick?": for every
model, what it is good at, its languages, the memory it needs here against the memory free
(drawn as a bar), its download size, how fast it will feel on this computer and its license;
a pick recommended for this computer on top; filters by size, language and use. Everything
that decides what is shown lives here, so it is tested without a window; the widgets in
app/ui/ only draw it.

Memory figures are passed in (`MemoryFigures`), read from the system only by
`MemoryFigures.here()`, so that tests and screenshots use fixed numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.catalog.catalog import CatalogModel, Job
from app.catalog.fit import (
    FitLabel,
    FitVerdict,
    GiB,
    estimate_memory,
    gpu_budget_here,
    judge_fit,
    recommend_model,
)
from app.catalog.library import InstalledModel
from app.catalog.model_shape import shape_from_catalog
from app.units import human_size


@dataclass(frozen=True)
class MemoryFigures:
    """This computer's memory in bytes: all of it, what is free now, and the GPU's share of
    it on a Mac with Apple silicon (None elsewhere, see `gpu_budget_here`)."""

    total: int
    available: int
    gpu_budget: int | None = None

    @classmethod
    def here(cls) -> MemoryFigures:
        import psutil

        memory = psutil.virtual_memory()
        total = int(memory.total)
        return cls(total, int(memory.available), gpu_budget_here(total))


@dataclass(frozen=True)
class CatalogFit:
    """Each catalog model's verdict for this computer, and the one Hearth recommends.

    Both are judged with the same figures (the GPU budget included), so the recommended
    model is never one its own verdict calls tight."""

    verdicts: dict[str, FitVerdict]
    recommended: CatalogModel
    memory: MemoryFigures

    @classmethod
    def judge(
        cls, catalog: list[CatalogModel], n_ctx: int, memory: MemoryFigures | None = None
    ) -> CatalogFit:
        """Judge at `n_ctx` tokens of context with `memory` (default: this computer now)."""
        memory = memory or MemoryFigures.here()
        verdicts = {
            m.id: judge_fit(
                estimate_memory(shape_from_catalog(m), n_ctx),
                memory.total,
                memory.available,
                memory.gpu_budget,
            )
            for m in catalog
        }
        recommended = recommend_model(
            catalog, memory.total, memory.available, n_ctx, gpu_budget=memory.gpu_budget
        )
        return cls(verdicts, recommended, memory)


# --- size, speed, memory -------------------------------------------------------------------

SMALL_BELOW_BYTES = 1_500_000_000  # decimal GB, as the sizes are shown (app/units.py)
LARGE_FROM_BYTES = 3_000_000_000


class SizeClass(StrEnum):
    SMALL = "Small (under 1.5 GB)"
    MEDIUM = "Medium (1.5 to 3 GB)"
    LARGE = "Large (3 GB or more)"


def size_class(size_bytes: int) -> SizeClass:
    """The download's size class: small under 1.5 GB, large from 3 GB, medium between."""
    if size_bytes < SMALL_BELOW_BYTES:
        return SizeClass.SMALL
    return SizeClass.MEDIUM if size_bytes < LARGE_FROM_BYTES else SizeClass.LARGE


class SpeedClass(StrEnum):
    FAST = "Fast on this computer"
    MODERATE = "Moderate speed on this computer"
    SLOW = "Slow on this computer"
    TOO_BIG = "Too big for this computer now"


_SPEED_STEPS = (SpeedClass.FAST, SpeedClass.MODERATE, SpeedClass.SLOW)
_STEP_OF_TIER = {"fastest": 0, "fast": 0, "balanced": 1, "slow": 2}


def speed_class(model: CatalogModel, verdict: FitVerdict) -> SpeedClass:
    """How fast the model will feel here, from what is known without running it.

    The rule: a model that won't fit is "too big for this computer now". Otherwise the
    catalog's `speed_tier` (how the model compares with the others on a laptop CPU) gives
    fast (fastest, fast), moderate (balanced) or slow (slow), and a tight verdict makes it
    one step slower: short of memory the system pages the model in and out, and on a Mac a
    model beyond the GPU's share runs partly on the CPU. Nothing here measures this
    computer's processor, so the classes are only as fine as the tiers.
    """
    if verdict.label is FitLabel.WONT_FIT:
        return SpeedClass.TOO_BIG
    step = _STEP_OF_TIER[model.speed_tier] + (verdict.label is FitLabel.TIGHT)
    return _SPEED_STEPS[min(step, len(_SPEED_STEPS) - 1)]


@dataclass(frozen=True)
class MemoryBar:
    """One verdict drawn as a bar whose full width is all of this computer's memory.

    `in_use`: what other programs use now (all memory minus the free); `needed`: what the
    model needs, capped so that `in_use + needed <= 1` (`overflows` says it was capped: the
    model needs more than is free); `gpu_limit`: where the GPU's share ends, if there is one.
    All are fractions of all memory, from 0 to 1.
    """

    in_use: float
    needed: float
    overflows: bool
    gpu_limit: float | None
    label: FitLabel
    text: str  # one line under the bar, e.g. "Needs 2.1 GB; 6.0 GB of 16.0 GB free"
    explanation: str  # the verdict's own sentence, for the tooltip and screen readers


def memory_bar(verdict: FitVerdict, gpu_budget: int | None = None) -> MemoryBar:
    """The bar for `verdict`, judged with `gpu_budget` (see `MemoryBar`)."""
    total = max(verdict.total_ram, 1)
    available = min(max(verdict.available_ram, 0), total)
    needed_bytes = verdict.estimate.total_bytes
    in_use = (total - available) / total
    needed = min(needed_bytes / total, 1.0 - in_use)
    text = (
        f"Needs {_gb(needed_bytes)} GB; {_gb(verdict.available_ram)} GB of "
        f"{_gb(verdict.total_ram)} GB free"
    )
    return MemoryBar(
        in_use=in_use,
        needed=needed,
        overflows=needed_bytes > available,
        gpu_limit=None if gpu_budget is None else min(gpu_budget / total, 1.0),
        label=verdict.label,
        text=text,
        explanation=verdict.explanation,
    )


def _gb(n_bytes: float) -> str:
    """GB as operating systems show memory (units of 1024^3 bytes), as fit.py does."""
    return f"{n_bytes / GiB:,.1f}"


# --- what it is good at, languages, license ------------------------------------------------

JOB_NAMES: dict[Job, str] = {
    "chat": "chat",
    "summarize": "summaries",
    "email": "e-mail writing",
}

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

LANGUAGE_CHOICES = ("en", "zh", "es", "fr", "de", "pt", "ja", "ar")
"""The languages the filter offers (besides "Any"): widely used ones the catalog covers."""

LANGUAGES_SHOWN = 4  # names on the card; the tooltip has them all


def good_for_text(model: CatalogModel) -> str:
    """What a model is good for ("Good for chat and summaries"); an embedder says what it is."""
    if model.kind != "chat":
        return "Finds passages in documents (not a chat model)"
    return "Good for " + _and([JOB_NAMES[job] for job in model.good_for])


def language_names(model: CatalogModel) -> list[str]:
    """The model's languages by name, English first, then as its model card lists them."""
    codes = sorted(model.languages, key=lambda code: code != "en")
    return [LANGUAGE_NAMES.get(code, code) for code in codes]


def languages_text(model: CatalogModel) -> str:
    """ "English only", or the first few languages and how many more ("" when unknown)."""
    names = language_names(model)
    if not names:
        return ""
    if names == ["English"]:
        return "English only"
    if len(names) <= LANGUAGES_SHOWN:
        return _and(names)
    shown = ", ".join(names[:LANGUAGES_SHOWN])
    return f"{shown} and {len(names) - LANGUAGES_SHOWN} more"


def license_text(model: CatalogModel) -> tuple[str, bool]:
    """The license's name, with a warning when its terms are not permissive; and whether it
    is flagged (community terms with conditions, or non-commercial use only)."""
    lic = model.license
    if lic.terms == "non-commercial":
        return f"{lic.name}: non-commercial use only", True
    if lic.terms == "community":
        return f"{lic.name}: conditions apply", True
    return lic.name, False


def recommendation_reason(model: CatalogModel, verdict: FitVerdict) -> str:
    """Why the recommended model is the one to pick (see `recommend_model`)."""
    if verdict.label is not FitLabel.FITS:
        return (
            "Nothing in the catalog fits the memory free on this computer now, so this is the "
            "smallest model. Close other apps before loading it."
        )
    jobs = _and([JOB_NAMES[job] for job in model.good_for])
    reason = f"The most capable model that fits this computer's free memory; good for {jobs}."
    if model.license.is_permissive:
        reason += " Its license lets you use it for anything."
    return reason


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogFilter:
    """What the person asked to see; None means any. Embedding models have no languages and
    no uses, so a language or use filter leaves them out."""

    size: SizeClass | None = None
    language: str | None = None  # an ISO 639-1 code
    use: Job | None = None

    def matches(self, model: CatalogModel) -> bool:
        if self.size is not None and size_class(model.size_bytes) != self.size:
            return False
        if self.language is not None and self.language not in model.languages:
            return False
        return self.use is None or self.use in model.good_for


def size_text(model: CatalogModel) -> str:
    """The download size for people ("Download: 1 GB")."""
    return f"Download: {human_size(model.size_bytes)}"


def disk_use_text(installed: list[InstalledModel]) -> str:
    """The installed models' disk use in all ("3 models use 5.2 GB of disk space")."""
    if not installed:
        return "No model is installed."
    count = len(installed)
    noun = "model uses" if count == 1 else "models use"
    return f"{count} {noun} {human_size(sum(m.size_bytes for m in installed))} of disk space"
