"""models.json: valid against its schema, true to the verified facts, readable by the app."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest

from app.catalog.catalog import (
    DEFAULT_CATALOG_PATH,
    SCHEMA_PATH,
    CatalogModel,
    find_catalog_model,
    license_notice,
    load_catalog,
)
from app.errors import HearthError

SHARED_FACTS = Path("/work/shared/catalog/facts.json")


class Fact(NamedTuple):
    """One verified file, copied from the shared catalog facts (facts.json)."""

    repo: str
    filename: str
    revision: str | None
    size_bytes: int
    sha256: str
    gated: bool
    license: str  # the license family: facts.json's license text up to the first space
    params_exact: int
    context_length: int
    arch: str
    quant: str
    kind: str


FACTS = [
    Fact(*row)
    for row in (
        (
            "bartowski/Qwen2.5-0.5B-Instruct-GGUF",
            "Qwen2.5-0.5B-Instruct-Q4_K_M.gguf",
            "41ba88dbac95fed2528c92514c131d73eb5a174b",
            397808192,
            "6eb923e7d26e9cea28811e1a8e852009b21242fb157b26149d3b188f3a8c8653",
            False,
            "apache-2.0",
            494032768,
            32768,
            "qwen2",
            "Q4_K_M",
            "chat",
        ),
        (
            "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
            "qwen2.5-0.5b-instruct-q8_0.gguf",
            "9217f5db79a29953eb74d5343926648285ec7e67",
            675710816,
            "ca59ca7f13d0e15a8cfa77bd17e65d24f6844b554a7b6c12e07a5f89ff76844e",
            False,
            "apache-2.0",
            494032768,
            32768,
            "qwen2",
            "Q8_0",
            "chat",
        ),
        (
            "bartowski/Qwen2.5-1.5B-Instruct-GGUF",
            "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
            "9eadc66189c7641e1ddd226b8267a9119b2ce2d4",
            986048768,
            "1adf0b11065d8ad2e8123ea110d1ec956dab4ab038eab665614adba04b6c3370",
            False,
            "apache-2.0",
            1543714304,
            32768,
            "qwen2",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Qwen2.5-3B-Instruct-GGUF",
            "Qwen2.5-3B-Instruct-Q4_K_M.gguf",
            "f302c64a2269a69fb27b2f9473b362f5bb8e78d8",
            1929903264,
            "9c9f56a391a3abbd5b89d0245bf6106081bcc3173119d4229235dd9d23253f94",
            False,
            "qwen-research",
            3085938688,
            32768,
            "qwen2",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Qwen2.5-7B-Instruct-GGUF",
            "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
            "8911e8a47f92bac19d6f5c64a2e2095bd2f7d031",
            4683074240,
            "65b8fcd92af6b4fefa935c625d1ac27ea29dcb6ee14589c55a8f115ceaaa1423",
            False,
            "apache-2.0",
            7615616512,
            32768,
            "qwen2",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Qwen_Qwen3-1.7B-GGUF",
            "Qwen_Qwen3-1.7B-Q4_K_M.gguf",
            "dcb19155b962dbb6389f4691a982043a8e651022",
            1282439584,
            "72c5c3cb38fa32d5256e2fe30d03e7a64c6c79e668ad84057e3bd66e250b24fb",
            False,
            "apache-2.0",
            1720574976,
            40960,
            "qwen3",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Qwen_Qwen3-4B-GGUF",
            "Qwen_Qwen3-4B-Q4_K_M.gguf",
            "cb76885dc66d50759b207c5a48c4e78dfa00c638",
            2497280960,
            "fbe1d5edd4ce802ae3ae7c7e4ab7d09789d697fdac1fc7929f8df4ca3c41bae3",
            False,
            "apache-2.0",
            4022468096,
            40960,
            "qwen3",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Llama-3.2-1B-Instruct-GGUF",
            "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
            "067b946cf014b7c697f3654f621d577a3e3afd1c",
            807694464,
            "6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83",
            False,
            "llama3.2",
            1235814400,
            131072,
            "llama",
            "Q4_K_M",
            "chat",
        ),
        (
            "hugging-quants/Llama-3.2-1B-Instruct-Q8_0-GGUF",
            "llama-3.2-1b-instruct-q8_0.gguf",
            None,
            1321079200,
            "ba345c83bf5cc679c653b853c46517eea5a34f03ed2205449db77184d9ae62a9",
            False,
            "llama3.2",
            1235814400,
            131072,
            "llama",
            "Q8_0",
            "chat",
        ),
        (
            "bartowski/Llama-3.2-3B-Instruct-GGUF",
            "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
            "5ab33fa94d1d04e903623ae72c95d1696f09f9e8",
            2019377696,
            "6c1a2b41161032677be168d354123594c0e6e67d2b9227c84f296ad037c728ff",
            False,
            "llama3.2",
            3212749824,
            131072,
            "llama",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
            "4f0c246f125fc7594238ebe7beb1435a8335f519",
            4920739232,
            "7b064f5842bf9532c91456deda288a1b672397a54fa729aa665952863033557c",
            False,
            "llama3.1",
            8030261248,
            131072,
            "llama",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/Phi-3.5-mini-instruct-GGUF",
            "Phi-3.5-mini-instruct-Q4_K_M.gguf",
            "6d70da17e749a471ccb62ade694486011a75cda3",
            2393232672,
            "e4165e3a71af97f1b4820da61079826d8752a2088e313af0c7d346796c38eff5",
            False,
            "mit",
            3821079552,
            131072,
            "phi3",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/microsoft_Phi-4-mini-instruct-GGUF",
            "microsoft_Phi-4-mini-instruct-Q4_K_M.gguf",
            "7ff82c2aaa4dde30121698a973765f39be5288c0",
            2491874688,
            "01999f17c39cc3074afae5e9c539bc82d45f2dd7faa3917c66cbef76fce8c0c2",
            False,
            "mit",
            3836021760,
            131072,
            "phi3",
            "Q4_K_M",
            "chat",
        ),
        (
            "ggml-org/gemma-3-1b-it-GGUF",
            "gemma-3-1b-it-Q4_K_M.gguf",
            "f9c28bcd85737ffc5aef028638d3341d49869c27",
            806058240,
            "8ccc5cd1f1b3602548715ae25a66ed73fd5dc68a210412eea643eb20eb75a135",
            False,
            "gemma",
            999885952,
            32768,
            "gemma3",
            "Q4_K_M",
            "chat",
        ),
        (
            "ggml-org/gemma-3-1b-it-GGUF",
            "gemma-3-1b-it-Q8_0.gguf",
            "f9c28bcd85737ffc5aef028638d3341d49869c27",
            1069306368,
            "b205840c5dcef55078e37d344677869a714ffd42a4ae448c48dcfb52e4bb10d5",
            False,
            "gemma",
            999885952,
            32768,
            "gemma3",
            "Q8_0",
            "chat",
        ),
        (
            "ggml-org/gemma-3-4b-it-GGUF",
            "gemma-3-4b-it-Q4_K_M.gguf",
            "d0976223747697cb51e056d85c532013931fe52e",
            2489757856,
            "882e8d2db44dc554fb0ea5077cb7e4bc49e7342a1f0da57901c0802ea21a0863",
            False,
            "gemma",
            4300079472,
            131072,
            "gemma3",
            "Q4_K_M",
            "chat",
        ),
        (
            "bartowski/SmolLM2-1.7B-Instruct-GGUF",
            "SmolLM2-1.7B-Instruct-Q4_K_M.gguf",
            "1f03464768bfcc0319fc50da8ff5fb20b6417ba2",
            1055609824,
            "77665ea4815999596525c636fbeb56ba8b080b46ae85efef4f0d986a139834d7",
            False,
            "apache-2.0",
            1711376384,
            8192,
            "llama",
            "Q4_K_M",
            "chat",
        ),
        (
            "HuggingFaceTB/SmolLM2-360M-Instruct-GGUF",
            "smollm2-360m-instruct-q8_0.gguf",
            "593b5a2e04c8f3e4ee880263f93e0bd2901ad47f",
            386404992,
            "48ab3034d0dd401fbc721eb1df3217902fee7dab9078992d66431f09b7750201",
            False,
            "apache-2.0",
            361821120,
            8192,
            "llama",
            "Q8_0",
            "chat",
        ),
        (
            "bartowski/Mistral-7B-Instruct-v0.3-GGUF",
            "Mistral-7B-Instruct-v0.3-Q4_K_M.gguf",
            "61fd4167fff3ab01ee1cfe0da183fa27a944db48",
            4372812000,
            "1270d22c0fbb3d092fb725d4d96c457b7b687a5f5a715abe1e818da303e562b6",
            False,
            "apache-2.0",
            7248023552,
            32768,
            "llama",
            "Q4_K_M",
            "chat",
        ),
        (
            "ibm-granite/granite-3.3-2b-instruct-GGUF",
            "granite-3.3-2b-instruct-Q4_K_M.gguf",
            "7cdf86ccd1f1bb3491c9b7017b033f2e51367397",
            1545303328,
            "ac71e9e32c0bea919b409c5918f69ca74339854b0319c5065e4e9fb6d95c4852",
            False,
            "apache-2.0",
            2533539840,
            131072,
            "granite",
            "Q4_K_M",
            "chat",
        ),
        (
            "nomic-ai/nomic-embed-text-v1.5-GGUF",
            "nomic-embed-text-v1.5.Q8_0.gguf",
            "0188c9bf409793f810680a5a431e7b899c46104c",
            146146432,
            "3e24342164b3d94991ba9692fdc0dd08e3fd7362e0aacc396a9a5c54a544c3b7",
            False,
            "apache-2.0",
            136731648,
            8192,
            "nomic-bert",
            "Q8_0",
            "embedding",
        ),
        (
            "CompendiumLabs/bge-small-en-v1.5-gguf",
            "bge-small-en-v1.5-q8_0.gguf",
            "d32f8c040ea3b516330eeb75b72bcc2d3a780ab7",
            36806944,
            "ec38e8da142596baa913124ae50550de284b6916bf59577ef2f0cb9660c2f514",
            False,
            "mit",
            33360512,
            512,
            "bert",
            "Q8_0",
            "embedding",
        ),
    )
]


@pytest.fixture(scope="module")
def document() -> Any:
    return json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog() -> list[CatalogModel]:
    return load_catalog()


def by_file(models: list[CatalogModel]) -> dict[tuple[str, str], CatalogModel]:
    return {(m.repo, m.filename): m for m in models}


# --- the schema ----------------------------------------------------------------------------


def test_models_json_is_valid_against_its_schema(document: Any) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sha256", "6EB923E7"),
        ("revision", "main"),
        ("id", "Qwen 0.5B"),
        ("kind", "vision"),
        ("speed_tier", "instant"),
        ("unexpected", 1),
    ],
)
def test_schema_rejects_bad_entries(document: Any, field: str, value: object) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    entry = {**document["models"][0], field: value}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema_version": 1, "models": [entry]}, schema)


def test_schema_keeps_embedding_models_out_of_chat_jobs(document: Any) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    embedder = next(m for m in document["models"] if m["kind"] == "embedding")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"schema_version": 1, "models": [{**embedder, "good_for": ["chat"]}]}, schema
        )


# --- the facts -----------------------------------------------------------------------------


PINNED_FACTS = [fact for fact in FACTS if fact.revision is not None]


def test_every_verified_file_with_a_checked_commit_is_listed_exactly_once(
    catalog: list[CatalogModel],
) -> None:
    """A file whose commit was never checked (the Q8_0 Llama 3.2 1B) stays out: without a
    commit, the bytes behind its id could change."""
    assert (len(FACTS), len(PINNED_FACTS)) == (22, 21)
    assert len(catalog) == len(PINNED_FACTS)
    assert set(by_file(catalog)) == {(f.repo, f.filename) for f in PINNED_FACTS}


@pytest.mark.parametrize("fact", PINNED_FACTS, ids=lambda f: f.filename)
def test_entry_matches_the_verified_facts(catalog: list[CatalogModel], fact: Fact) -> None:
    model = by_file(catalog)[(fact.repo, fact.filename)]
    assert model.revision == fact.revision
    assert model.size_bytes == fact.size_bytes
    assert model.sha256 == fact.sha256
    assert model.gated is fact.gated
    assert model.license.id == fact.license
    assert model.parameters_exact == fact.params_exact
    assert model.context_length == fact.context_length
    assert model.architecture == fact.arch
    assert model.quantization == fact.quant
    assert model.kind == fact.kind


def _entries() -> list[Any]:
    entries = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))["models"]
    return [pytest.param(e, id=e["id"]) for e in entries]


@pytest.mark.parametrize("entry", _entries())
def test_every_entry_pins_a_commit(entry: dict[str, Any]) -> None:
    """A branch name or null would let the bytes behind an id change; only a commit pins them
    (together with the sha256)."""
    revision = entry["revision"]
    assert isinstance(revision, str)
    assert re.fullmatch(r"[0-9a-f]{40}", revision)


@pytest.mark.skipif(not SHARED_FACTS.exists(), reason="the shared facts.json is not here")
def test_the_copied_facts_match_the_shared_facts_file() -> None:
    shared = json.loads(SHARED_FACTS.read_text(encoding="utf-8"))
    assert [
        Fact(
            f["repo"],
            f["filename"],
            f["revision"],
            f["size_bytes"],
            f["sha256"],
            f["gated"],
            f["license"].split()[0],
            f["params_exact"],
            f["context_length"],
            f["arch"],
            f["quant"],
            f["kind"],
        )
        for f in shared
    ] == FACTS


def test_catalog_spans_small_to_large_chat_models_and_has_embedders(
    catalog: list[CatalogModel],
) -> None:
    chat = [m for m in catalog if m.kind == "chat"]
    embedders = [m for m in catalog if m.kind == "embedding"]
    assert len(chat) >= 16
    assert len(embedders) >= 2
    sizes = [m.parameters_exact for m in chat]
    assert min(sizes) <= 370_000_000
    assert max(sizes) >= 8_000_000_000
    assert all(m.good_for == () for m in embedders)
    assert all("chat" in m.good_for for m in chat)


def test_ids_are_unique_lowercase_and_stable(catalog: list[CatalogModel]) -> None:
    ids = [m.id for m in catalog]
    assert len(set(ids)) == len(ids)
    assert all(i == i.lower() for i in ids)
    assert "qwen2.5-0.5b-instruct-q4_k_m" in ids
    assert "llama-3.1-8b-instruct-q4_k_m" in ids


def test_published_shapes_are_consistent(catalog: list[CatalogModel]) -> None:
    for model in catalog:
        shape = model.shape
        assert shape.n_head % shape.n_head_kv == 0, model.id
        assert (shape.sliding_window is None) == (shape.sliding_window_pattern is None), model.id
        assert model.shape_source == "published config.json"
    llama = find_catalog_model(catalog, "llama-3.1-8b-instruct-q4_k_m")
    assert llama is not None
    assert (llama.shape.n_layer, llama.shape.n_head_kv, llama.shape.head_dim) == (32, 8, 128)


# --- reading it ----------------------------------------------------------------------------


def test_find_catalog_model_ignores_case(catalog: list[CatalogModel]) -> None:
    model = find_catalog_model(catalog, "  Qwen2.5-3B-Instruct-Q4_K_M ")
    assert model is not None
    assert model.name == "Qwen2.5 3B Instruct"
    assert find_catalog_model(catalog, "no-such-model") is None


def test_load_catalog_reads_every_field(catalog: list[CatalogModel]) -> None:
    gemma = find_catalog_model(catalog, "gemma-3-1b-it-q4_k_m")
    assert gemma is not None
    assert gemma.shape.sliding_window == 512
    assert gemma.shape.sliding_window_pattern == 6
    assert gemma.license.terms == "community"
    assert gemma.good_for == ("chat", "summarize")


def without_sha256(document: Any) -> Any:
    entry = {**document["models"][0]}
    del entry["sha256"]
    return {"schema_version": 1, "models": [entry]}


@pytest.mark.parametrize(
    "damage",
    [
        without_sha256,
        lambda d: {"schema_version": 1, "models": [d["models"][0]] * 2},
        lambda d: {"schema_version": 1, "models": [{**d["models"][0], "size_bytes": "1"}]},
        lambda d: {"schema_version": 1, "models": [{**d["models"][0], "kind": "vision"}]},
        lambda d: {**d, "schema_version": 2},
        lambda d: d["models"],
    ],
    ids=["missing-key", "duplicate-id", "wrong-type", "bad-choice", "newer", "not-an-object"],
)
def test_damaged_catalogs_are_reported_plainly(
    tmp_path: Path, document: Any, damage: Callable[[Any], Any]
) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps(damage(document)), encoding="utf-8")
    with pytest.raises(HearthError, match=r"model catalog .* is damaged: .*Reinstall Hearth"):
        load_catalog(path)


def test_unreadable_catalogs_are_reported_plainly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    with pytest.raises(HearthError, match="is damaged: it is not valid JSON"):
        load_catalog(broken)
    with pytest.raises(HearthError, match="cannot be read"):
        load_catalog(tmp_path / "absent.json")


# --- licenses ------------------------------------------------------------------------------


def test_license_notice_warns_about_non_commercial_terms(catalog: list[CatalogModel]) -> None:
    model = find_catalog_model(catalog, "qwen2.5-3b-instruct-q4_k_m")
    assert model is not None
    notice = license_notice(model)
    assert "Qwen Research License" in notice
    assert "non-commercial" in notice
    assert "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE" in notice


def test_license_notice_for_community_and_permissive_licenses(
    catalog: list[CatalogModel],
) -> None:
    llama = find_catalog_model(catalog, "llama-3.2-3b-instruct-q4_k_m")
    qwen = find_catalog_model(catalog, "qwen2.5-7b-instruct-q4_k_m")
    assert llama is not None
    assert qwen is not None
    assert "Llama 3.2 Community License" in license_notice(llama)
    assert "acceptable-use policy" in license_notice(llama)
    assert "Apache License 2.0" in license_notice(qwen)
    assert "any purpose" in license_notice(qwen)
    for model in catalog:
        notice = license_notice(model)
        assert model.license.url in notice
        assert "\n" not in notice
        if not model.license.is_permissive:
            assert "non-commercial" in notice or "not an open-source license" in notice


# --- languages -----------------------------------------------------------------------------


def test_every_chat_model_lists_its_languages_from_its_model_card(
    catalog: list[CatalogModel],
) -> None:
    for model in catalog:
        if model.kind == "chat":
            assert model.languages, model.id
            assert model.languages_source == "model card", model.id
            assert all(re.fullmatch(r"[a-z]{2}", code) for code in model.languages), model.id
            assert "en" in model.languages, model.id
        else:
            assert (model.languages, model.languages_source) == ((), None), model.id
    by_id = {m.id: m for m in catalog}
    assert by_id["smollm2-1.7b-instruct-q4_k_m"].languages == ("en",)
    assert by_id["mistral-7b-instruct-v0.3-q4_k_m"].languages == ("en",)
    assert set(by_id["llama-3.2-3b-instruct-q4_k_m"].languages) == set(
        ["en", "de", "fr", "it", "pt", "hi", "es", "th"]
    )
    assert {"zh", "ja", "ar"} <= set(by_id["qwen2.5-1.5b-instruct-q4_k_m"].languages)
    assert {"he", "uk", "no"} <= set(by_id["phi-4-mini-instruct-q4_k_m"].languages)


def test_schema_requires_languages_of_chat_models_only(document: Any) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    chat = next(m for m in document["models"] if m["kind"] == "chat")
    embedder = next(m for m in document["models"] if m["kind"] == "embedding")
    without = {k: v for k, v in chat.items() if k not in ("languages", "languages_source")}
    bad_entries = [
        without,
        {**chat, "languages": ["english"]},
        {**chat, "languages": []},
        {**without, "languages": ["en"]},  # a list without its source
    ]
    for entry in bad_entries:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"schema_version": 1, "models": [entry]}, schema)
    jsonschema.validate({"schema_version": 1, "models": [embedder]}, schema)


def test_a_language_code_that_is_not_iso_639_1_is_a_damaged_catalog(
    document: Any, tmp_path: Path
) -> None:
    entry = {**document["models"][0], "languages": ["eng"]}
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"schema_version": 1, "models": [entry]}), encoding="utf-8")
    with pytest.raises(HearthError, match="ISO 639-1"):
        load_catalog(path)
