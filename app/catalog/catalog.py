"""The curated model catalog: models.json read into typed, immutable records.

Every entry names one exact file: repo + revision + filename, with its size and sha256 (the
same filename in another repo, or a re-upload, is a different file). Sizes, hashes, licenses
and parameter counts come from /work/shared/catalog/facts.json; `shape` holds the
transformer hyper-parameters from each model's published config.json, so that memory can be
estimated before anything is downloaded (see app/catalog/fit.py). `languages` (chat models
only) lists what each model card says the model handles, as ISO 639-1 codes.

models.json is checked against app/catalog/models.schema.json by the test suite. At run time
this module only checks what it reads, and reports a damaged catalog as a HearthError: the
file ships with Hearth, so the cure is reinstalling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from app.errors import HearthError
from app.resources import CATALOG_FILE

ModelKind = Literal["chat", "embedding"]
Job = Literal["chat", "summarize", "email"]
SpeedTier = Literal["fastest", "fast", "balanced", "slow"]
LicenseTerms = Literal["permissive", "community", "non-commercial"]

SCHEMA_VERSION = 1
DEFAULT_CATALOG_PATH = CATALOG_FILE
SCHEMA_PATH = Path(__file__).with_name("models.schema.json")

_KINDS = ("chat", "embedding")
_JOBS = ("chat", "summarize", "email")
_TIERS = ("fastest", "fast", "balanced", "slow")
_TERMS = ("permissive", "community", "non-commercial")


@dataclass(frozen=True)
class License:
    """`terms`: permissive (Apache, MIT), community (use-policy terms), non-commercial."""

    id: str
    name: str
    url: str
    terms: LicenseTerms

    @property
    def is_permissive(self) -> bool:
        return self.terms == "permissive"


@dataclass(frozen=True)
class PublishedShape:
    """Hyper-parameters from the model's published config.json (not read from the GGUF).

    `sliding_window_pattern` n means: of every n layers, n - 1 use sliding-window attention
    and one attends globally (Gemma 3: 5 local layers per global one, so 6).
    """

    n_layer: int
    n_head: int
    n_head_kv: int
    head_dim: int
    n_embd: int
    n_ff: int
    n_vocab: int
    sliding_window: int | None
    sliding_window_pattern: int | None


@dataclass(frozen=True)
class CatalogModel:
    """One downloadable GGUF file and what Hearth knows about it before downloading."""

    id: str
    name: str
    family: str
    kind: ModelKind
    parameters: str
    parameters_exact: int
    quantization: str
    repo: str
    revision: str | None  # None: no verified commit; the sha256 still pins the content
    filename: str
    size_bytes: int
    sha256: str
    license: License
    gated: bool
    context_length: int
    architecture: str
    good_for: tuple[Job, ...]
    speed_tier: SpeedTier
    description: str
    shape: PublishedShape
    shape_source: str
    languages: tuple[str, ...] = ()  # ISO 639-1 codes; () for embedding models
    languages_source: str | None = None  # where the list comes from ("model card")


def load_catalog(path: Path | None = None) -> list[CatalogModel]:
    """Read models.json (by default the one at the top of the Hearth checkout)."""
    path = path or DEFAULT_CATALOG_PATH
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HearthError(
            f"Hearth's model catalog {path} cannot be read ({exc.strerror}). Reinstall Hearth."
        ) from exc
    except ValueError as exc:
        raise _damaged(path, f"it is not valid JSON ({exc})") from exc
    try:
        if _get(document, "schema_version", int) != SCHEMA_VERSION:
            raise ValueError(f"schema_version is not {SCHEMA_VERSION}")
        entries = _get(document, "models", list)
        models = [_parse_model(_as(entry, dict, "model")) for entry in entries]
    except (ValueError, TypeError, KeyError) as exc:
        raise _damaged(path, str(exc)) from exc
    ids = [m.id for m in models]
    if len(set(ids)) != len(ids):
        raise _damaged(path, "two models share an id")
    return models


def find_catalog_model(models: list[CatalogModel], model_id: str) -> CatalogModel | None:
    """The model with this id (ignoring case and surrounding spaces), or None."""
    wanted = model_id.strip().lower()
    return next((m for m in models if m.id == wanted), None)


def license_notice(model: CatalogModel) -> str:
    """What the user must see before downloading `model`: the license, its page, caveats."""
    lic = model.license
    first = f"{model.name} is released under the {lic.name}: {lic.url}"
    if lic.terms == "non-commercial":
        return (
            f"{first}. It allows research and other non-commercial use only: do not use it "
            "for commercial purposes or in your business without a separate license from "
            "its publisher."
        )
    if lic.terms == "community":
        return (
            f"{first}. This is not an open-source license: it has conditions and an "
            "acceptable-use policy that you accept by downloading the model. Read it first."
        )
    return f"{first}. You may use it for any purpose, including commercial use."


# --- parsing -------------------------------------------------------------------------------


def _damaged(path: Path, reason: str) -> HearthError:
    return HearthError(f"Hearth's model catalog {path} is damaged: {reason}. Reinstall Hearth.")


def _as(value: Any, kind: type, what: str) -> Any:
    # bool is an int in Python; a catalog never means True where it says a number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{what} should be {kind.__name__}, not {type(value).__name__}")
    return value


def _get(entry: dict[str, Any], key: str, kind: type) -> Any:
    if key not in entry:
        raise KeyError(f"{key!r} is missing")
    return _as(entry[key], kind, repr(key))


def _optional(entry: dict[str, Any], key: str, kind: type) -> Any:
    return None if entry.get(key, 0) is None else _get(entry, key, kind)


def _choice(entry: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    value: str = _get(entry, key, str)
    if value not in allowed:
        raise ValueError(f"{key!r} is {value!r}, not one of {', '.join(allowed)}")
    return value


def _parse_license(entry: dict[str, Any]) -> License:
    return License(
        id=_get(entry, "id", str),
        name=_get(entry, "name", str),
        url=_get(entry, "url", str),
        terms=cast(LicenseTerms, _choice(entry, "terms", _TERMS)),
    )


def _parse_shape(entry: dict[str, Any]) -> PublishedShape:
    return PublishedShape(
        n_layer=_get(entry, "n_layer", int),
        n_head=_get(entry, "n_head", int),
        n_head_kv=_get(entry, "n_head_kv", int),
        head_dim=_get(entry, "head_dim", int),
        n_embd=_get(entry, "n_embd", int),
        n_ff=_get(entry, "n_ff", int),
        n_vocab=_get(entry, "n_vocab", int),
        sliding_window=_optional(entry, "sliding_window", int),
        sliding_window_pattern=_optional(entry, "sliding_window_pattern", int),
    )


def _parse_model(entry: dict[str, Any]) -> CatalogModel:
    good_for = tuple(_as(job, str, "'good_for' item") for job in _get(entry, "good_for", list))
    if any(job not in _JOBS for job in good_for):
        raise ValueError(f"'good_for' of {entry.get('id')!r} names an unknown job")
    return CatalogModel(
        id=_get(entry, "id", str).lower(),
        name=_get(entry, "name", str),
        family=_get(entry, "family", str),
        kind=cast(ModelKind, _choice(entry, "kind", _KINDS)),
        parameters=_get(entry, "parameters", str),
        parameters_exact=_get(entry, "parameters_exact", int),
        quantization=_get(entry, "quantization", str),
        repo=_get(entry, "repo", str),
        revision=_optional(entry, "revision", str),
        filename=_get(entry, "filename", str),
        size_bytes=_get(entry, "size_bytes", int),
        sha256=_get(entry, "sha256", str).lower(),
        license=_parse_license(_get(entry, "license", dict)),
        gated=_get(entry, "gated", bool),
        context_length=_get(entry, "context_length", int),
        architecture=_get(entry, "architecture", str),
        good_for=cast(tuple[Job, ...], good_for),
        speed_tier=cast(SpeedTier, _choice(entry, "speed_tier", _TIERS)),
        description=_get(entry, "description", str),
        shape=_parse_shape(_get(entry, "shape", dict)),
        shape_source=_get(entry, "shape_source", str),
        languages=_languages(entry),
        languages_source=_as(entry.get("languages_source", ""), str, "'languages_source'") or None,
    )


def _languages(entry: dict[str, Any]) -> tuple[str, ...]:
    codes = tuple(_as(code, str, "'languages' item") for code in entry.get("languages", []))
    if any(len(code) != 2 or not code.isalpha() or not code.islower() for code in codes):
        raise ValueError(f"'languages' of {entry.get('id')!r} has a code that is not ISO 639-1")
    return codes
