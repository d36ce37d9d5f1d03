"""The tiny test models behave as the rest of the test suite assumes, in the real llama.cpp.

Other tests rely on these promises: the scripted model answers exactly its reply (greedy and
sampled), the random model babbles to max_tokens one token per streamed chunk, any UTF-8 text
survives the shared tokenizer, and the broken files really are broken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import gguf
import pytest

from tests.support.tiny_gguf import (
    BOS_ID,
    CHATML_TEMPLATE,
    EOS_ID,
    SLOW_MODEL_SHAPE,
    build_vocab,
    long_text,
    reply_pieces,
    synthetic_words,
    write_random_model,
    write_scripted_model,
)

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Say something nice."},
]


@pytest.fixture(scope="module")
def llama_cpp() -> ModuleType:
    """The llama_cpp module; the tests using it are skipped only if it cannot be imported."""
    module: ModuleType = pytest.importorskip(
        "llama_cpp",
        reason="llama-cpp-python is not installed (it is a runtime dependency: install it)",
        exc_type=ImportError,
    )
    return module


def _load(llama_cpp: ModuleType, path: Path, n_ctx: int = 512) -> Any:
    return llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_threads=2, verbose=False)


@pytest.fixture(scope="module")
def scripted_llm(llama_cpp: ModuleType, scripted_model: Path) -> Iterator[Any]:
    llm = _load(llama_cpp, scripted_model)
    yield llm
    llm.close()


@pytest.fixture(scope="module")
def random_llm(llama_cpp: ModuleType, random_model: Path) -> Iterator[Any]:
    llm = _load(llama_cpp, random_model)
    yield llm
    llm.close()


def _field(reader: gguf.GGUFReader, key: str) -> Any:
    field = reader.get_field(key)
    assert field is not None, key
    return field.contents()


# --- the files, as gguf reads them ---------------------------------------------------------


def test_scripted_model_header(scripted_model: Path) -> None:
    reader = gguf.GGUFReader(scripted_model)

    assert _field(reader, "general.architecture") == "llama"
    assert _field(reader, "general.name") == "Scripted Tiny"
    assert _field(reader, "tokenizer.ggml.model") == "llama"
    assert _field(reader, "tokenizer.chat_template") == CHATML_TEMPLATE
    tokens = _field(reader, "tokenizer.ggml.tokens")
    assert tokens[:5] == ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    assert tokens[5] == "<0x00>"
    assert tokens[260] == "<0xFF>"
    assert len(tokens) == len(set(tokens))
    assert _field(reader, "tokenizer.ggml.eos_token_id") == EOS_ID
    assert _field(reader, "tokenizer.ggml.bos_token_id") == BOS_ID


def test_no_template_model_has_no_template_key(scripted_model_no_template: Path) -> None:
    reader = gguf.GGUFReader(scripted_model_no_template)

    assert reader.get_field("tokenizer.chat_template") is None
    assert _field(reader, "general.name") == "No Template Tiny"


def test_random_model_is_deterministic_per_seed(tmp_path: Path) -> None:
    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    first = write_random_model(tmp_path / "a.gguf", seed=7)
    again = write_random_model(tmp_path / "b.gguf", seed=7)
    other = write_random_model(tmp_path / "c.gguf", seed=8)

    assert digest(first) == digest(again)
    assert digest(first) != digest(other)


def test_random_model_shape_arguments(tmp_path: Path) -> None:
    path = write_random_model(tmp_path / "gqa.gguf", n_embd=32, n_layer=3, n_head=4, n_kv_head=2)
    reader = gguf.GGUFReader(path)

    assert _field(reader, "llama.block_count") == 3
    assert _field(reader, "llama.attention.head_count_kv") == 2
    assert reader.get_tensor(len(reader.tensors) - 1).name == "blk.2.ffn_down.weight"
    k_proj = next(t for t in reader.tensors if t.name == "blk.0.attn_k.weight")
    assert list(k_proj.shape) == [32, 16]  # GGML order: n_embd, n_kv_head * head_dim


def test_slow_model_fits_the_budget(slow_model: Path) -> None:
    reader = gguf.GGUFReader(slow_model)

    assert slow_model.stat().st_size < 200 * 1024 * 1024
    assert _field(reader, "llama.embedding_length") == SLOW_MODEL_SHAPE["n_embd"]
    assert _field(reader, "llama.context_length") >= 4096


def test_bad_files_are_rejected_by_the_gguf_reader(bad_model_files: dict[str, Path]) -> None:
    assert set(bad_model_files) == {"empty", "truncated", "wrong_magic", "random_bytes", "text"}
    assert bad_model_files["empty"].stat().st_size == 0
    for label, path in bad_model_files.items():
        assert path.suffix == ".gguf"
        with pytest.raises(ValueError):  # noqa: PT011 - the reader raises plain ValueErrors
            gguf.GGUFReader(path)
        assert path.exists(), label


def test_reply_pieces_are_distinct_and_spell_the_reply() -> None:
    for reply in ["Hello, world!", "Hello, world! Hello, again.", "ha ha ha", "a" * 100]:
        pieces = reply_pieces(reply)
        assert len(set(pieces)) == len(pieces)
        assert "".join(pieces).replace("\u2581", " ") == reply
        assert all(len(piece.encode()) <= 32 for piece in pieces)
    assert reply_pieces("Hello, world!") == ["Hello", ",", "\u2581world", "!"]


def test_reply_pieces_refuses_impossible_replies() -> None:
    with pytest.raises(ValueError, match="distinct tokens"):
        reply_pieces("! ! !")


def test_vocab_reuses_existing_spellings() -> None:
    base = build_vocab()
    extended = build_vocab(["Hello", ",", "\u2581brand", "\u2581new"])

    assert len(extended) == len(base) + 2
    assert extended.tokens[: len(base)] == base.tokens


def test_long_text_is_deterministic_prose() -> None:
    text = long_text(500, seed=3)

    assert text == long_text(500, seed=3)
    assert text != long_text(500, seed=4)
    assert len(text.split()) == 500
    assert text.isascii()
    assert text.endswith(".")


# --- the models, as llama.cpp runs them ------------------------------------------------------


def _chat(llm: Any, **kwargs: Any) -> tuple[str, str]:
    result = llm.create_chat_completion(messages=MESSAGES, **kwargs)
    choice = result["choices"][0]
    return choice["message"]["content"], choice["finish_reason"]


def test_scripted_model_replies_greedily(scripted_llm: Any) -> None:
    assert _chat(scripted_llm, temperature=0.0) == ("Hello, world!", "stop")


# No min_p / top_k truncation: those would hide a weak logit margin that top_p alone lets through.
UNTRUNCATED = {"min_p": 0.0, "top_k": 0}


@pytest.mark.parametrize("seed", [1, 42, 31337, 2024, 7])
def test_scripted_model_replies_the_same_when_sampling(scripted_llm: Any, seed: int) -> None:
    content, finish = _chat(scripted_llm, temperature=0.8, top_p=0.95, seed=seed, **UNTRUNCATED)

    assert (content, finish) == ("Hello, world!", "stop")


def test_scripted_model_replies_at_temperature_one_in_a_long_conversation(
    scripted_llm: Any,
) -> None:
    messages = [
        *MESSAGES,
        {"role": "assistant", "content": "Hello, world!"},
        {"role": "user", "content": "Again, with feeling! Grüße 👋"},
    ]
    result = scripted_llm.create_chat_completion(
        messages=messages, temperature=1.0, top_p=0.95, seed=5, **UNTRUNCATED
    )

    assert result["choices"][0]["message"]["content"] == "Hello, world!"
    assert result["choices"][0]["finish_reason"] == "stop"
    # The eos that ended the turn is not counted.
    assert result["usage"]["completion_tokens"] == len(reply_pieces("Hello, world!"))


def test_scripted_model_streams_its_reply(scripted_llm: Any) -> None:
    chunks = list(
        scripted_llm.create_chat_completion(
            messages=MESSAGES, temperature=0.7, top_p=0.95, seed=3, stream=True, **UNTRUNCATED
        )
    )
    text = "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)

    assert text == "Hello, world!"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"


def test_custom_reply(llama_cpp: ModuleType, tmp_path: Path) -> None:
    reply = "Bonjour, café! Bonjour again, 👋. Supercalifragilisticexpialidocious."
    llm = _load(llama_cpp, write_scripted_model(tmp_path / "custom.gguf", reply, name="Custom"))
    try:
        assert llm.metadata["general.name"] == "Custom"
        assert _chat(llm, temperature=0.0) == (reply, "stop")
        assert _chat(llm, temperature=0.9, top_p=0.95, seed=11, **UNTRUNCATED) == (reply, "stop")
    finally:
        llm.close()


def test_template_metadata(llama_cpp: ModuleType, scripted_model_no_template: Path) -> None:
    llm = _load(llama_cpp, scripted_model_no_template)
    try:
        assert "tokenizer.chat_template" not in llm.metadata
        assert llm.metadata["general.name"] == "No Template Tiny"
        # llama-cpp-python falls back to another prompt format; the reply is the same.
        assert _chat(llm, temperature=0.0)[0] == "Hello, world!"
    finally:
        llm.close()


def test_scripted_model_metadata_has_the_template(scripted_llm: Any) -> None:
    assert scripted_llm.metadata["tokenizer.chat_template"] == CHATML_TEMPLATE
    assert scripted_llm.metadata["general.name"] == "Scripted Tiny"


def test_random_model_streams_to_max_tokens(random_llm: Any) -> None:
    chunks = list(
        random_llm.create_chat_completion(
            messages=MESSAGES, max_tokens=50, temperature=0.8, seed=9, stream=True
        )
    )
    content_chunks = [c for c in chunks if c["choices"][0]["delta"].get("content")]

    assert len(content_chunks) == 50
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"


def test_random_model_generates_exactly_max_tokens(random_llm: Any) -> None:
    result = random_llm.create_chat_completion(messages=MESSAGES, max_tokens=50, temperature=0.0)

    assert result["usage"]["completion_tokens"] == 50
    assert result["choices"][0]["finish_reason"] == "length"
    assert result["choices"][0]["message"]["content"]


@pytest.mark.parametrize("text", ["Grüße 👋 naïve café", "tabs\tand\nnewlines  twice", "日本語"])
def test_utf8_round_trips_through_the_tokenizer(scripted_llm: Any, text: str) -> None:
    tokens = scripted_llm.tokenize(text.encode())

    assert tokens[0] == BOS_ID
    assert scripted_llm.detokenize(tokens).decode() == text


def test_non_ascii_text_uses_byte_fallback(scripted_llm: Any) -> None:
    tokens = scripted_llm.tokenize("👋".encode(), add_bos=False)
    byte_ids = [5 + b for b in "👋".encode()]

    assert tokens[-4:] == byte_ids


def test_bad_files_are_rejected_by_llama_cpp(
    llama_cpp: ModuleType, bad_model_files: dict[str, Path]
) -> None:
    for label in ("truncated", "wrong_magic", "text"):
        with pytest.raises(ValueError, match="Failed to load model"):
            _load(llama_cpp, bad_model_files[label])


# --- realistic-size options (the benchmark models, tests/bench/models.py, at a tiny size) ---


def test_synthetic_words_are_distinct_and_closed_under_prefixes() -> None:
    words = synthetic_words(20_000)
    vocab = build_vocab(words)

    assert len(vocab) == len(build_vocab()) + len(words)
    assert len(set(vocab.tokens)) == len(vocab)
    known = set(vocab.tokens)
    assert all(word[:-1] in known for word in words)


@pytest.mark.parametrize(
    ("architecture", "weight_type"),
    [("qwen2", gguf.GGMLQuantizationType.Q8_0), ("llama", gguf.GGMLQuantizationType.Q4_0)],
)
def test_a_quantized_model_with_a_large_vocabulary_babbles_to_max_tokens(
    llama_cpp: ModuleType,
    tmp_path: Path,
    architecture: str,
    weight_type: gguf.GGMLQuantizationType,
) -> None:
    path = write_random_model(
        tmp_path / "big-vocab.gguf",
        n_embd=64,
        n_layer=2,
        n_head=4,
        n_kv_head=2,
        n_ff=128,
        architecture=architecture,
        n_vocab=5000,
        weight_type=weight_type,
    )
    reader = gguf.GGUFReader(path)
    assert _field(reader, "general.architecture") == architecture
    types = {t.name: t.tensor_type for t in reader.tensors}
    assert types["blk.1.ffn_down.weight"] == weight_type
    assert types["token_embd.weight"] == weight_type
    assert types["output_norm.weight"] == gguf.GGMLQuantizationType.F32
    assert ("blk.0.attn_q.bias" in types) == (architecture == "qwen2")

    llm = _load(llama_cpp, path)
    try:
        assert llm.n_vocab() == 5000
        assert len(llm.tokenize(b"the river lantern", add_bos=False)) < len("the river lantern")
        result = llm.create_chat_completion(messages=MESSAGES, max_tokens=40, temperature=1.0)
        assert result["usage"]["completion_tokens"] == 40
        assert result["choices"][0]["finish_reason"] == "length"
    finally:
        llm.close()
