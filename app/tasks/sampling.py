"""Which sampling a turn uses: given values, then the conversation's own, then defaults.

The CLI (flags) and the window (no flags) both resolve sampling this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.engine.protocol import SamplingParams
from app.settings import Sampling


def resolve_sampling(
    saved: Mapping[str, Any],
    defaults: Sampling,
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
) -> SamplingParams:
    """Given values win over the conversation's saved ones, which win over the defaults."""
    return SamplingParams(
        temperature=temperature
        if temperature is not None
        else float(saved.get("temperature", defaults.temperature)),
        top_p=float(saved.get("top_p", defaults.top_p)),
        max_tokens=max_tokens
        if max_tokens is not None
        else int(saved.get("max_tokens", defaults.max_tokens)),
        seed=seed,
    )
