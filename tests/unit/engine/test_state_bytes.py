"""A model's evaluated state to bytes and back, checked on a real (tiny, random) model.

The random model is used rather than the scripted one because the scripted model's output
depends on the last token alone, so a wrong KV cache could not show. Greedy tokens of the
random model barely depend on context either, so the tests also compare the logits, which
do: a state of other tokens (with the right token ids written over it) changes them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import llama_cpp
import numpy as np
import numpy.typing as npt
import pytest

from app.engine.state_bytes import capture, restore
from app.engine.state_cache import DiskStates
from app.engine.state_key import StateKey, model_identity
from tests.support.tiny_gguf import long_text, write_random_model

TOLERANCE = 1e-3
OpenModel = Callable[[], llama_cpp.Llama]


@pytest.fixture
def open_model(random_model: Path) -> Iterator[OpenModel]:
    """A factory of fresh `Llama` instances on the random model, all closed afterwards."""
    opened: list[llama_cpp.Llama] = []

    def new() -> llama_cpp.Llama:
        llm = llama_cpp.Llama(model_path=str(random_model), n_ctx=512, verbose=False, seed=1)
        opened.append(llm)
        return llm

    yield new
    for llm in opened:
        llm.close()


def last_logits(llm: llama_cpp.Llama) -> npt.NDArray[np.float32]:
    logits = llama_cpp.llama_get_logits(llm.ctx)
    return np.ctypeslib.as_array(logits, shape=(llm.n_vocab(),)).copy()


def greedy(llm: llama_cpp.Llama, tokens: list[int], n: int = 12) -> list[int]:
    return list(itertools.islice(llm.generate(tokens, temp=0.0), n))


def test_a_restored_state_continues_exactly_like_a_fresh_evaluation(open_model: OpenModel) -> None:
    source = open_model()
    prompt = source.tokenize(long_text(60).encode())
    prefix = prompt[:-10]
    fresh_tokens = greedy(open_model(), prompt)
    fresh = open_model()
    fresh.eval(prompt)
    fresh_logits = last_logits(fresh)

    source.eval(prefix)
    data = capture(source)

    restored = open_model()
    assert restore(restored, data) == len(prefix) == restored.n_tokens
    assert list(restored.input_ids[: len(prefix)]) == prefix
    restored.eval(prompt[len(prefix) :])  # only the new tokens
    np.testing.assert_allclose(last_logits(restored), fresh_logits, atol=TOLERANCE)

    restored_again = open_model()
    restore(restored_again, data)
    assert greedy(restored_again, prompt) == fresh_tokens


def test_a_state_of_other_tokens_gives_other_logits(open_model: OpenModel) -> None:
    """The check above can fail: the KV cache, not the token list, decides the logits."""
    source = open_model()
    prompt = source.tokenize(long_text(60).encode())
    prefix = prompt[:-10]
    fresh = open_model()
    fresh.eval(prompt)
    fresh_logits = last_logits(fresh)

    source.eval(source.tokenize(long_text(60, seed=5).encode())[: len(prefix)])
    restored = open_model()
    restore(restored, capture(source))
    restored.input_ids[: len(prefix)] = prefix  # the tokens claim the right prefix
    restored.eval(prompt[len(prefix) :])
    assert np.abs(last_logits(restored) - fresh_logits).max() > 10 * TOLERANCE


def test_a_state_survives_the_disk_store(
    open_model: OpenModel, random_model: Path, tmp_path: Path
) -> None:
    source = open_model()
    prompt = source.tokenize(long_text(40).encode())
    fresh = open_model()
    fresh.eval(prompt)
    fresh_logits = last_logits(fresh)
    source.eval(prompt[:-5])
    store = DiskStates(tmp_path / "states", max_bytes=10**8)
    model_id = model_identity(random_model)
    store.put(StateKey(model_id, 512, "f16", tuple(prompt[:-5])), capture(source))

    hit = DiskStates(tmp_path / "states", max_bytes=10**8).best_prefix(model_id, 512, "f16", prompt)
    assert hit is not None
    restored = open_model()
    restore(restored, hit.state)
    assert hit.length == len(prompt) - 5
    restored.eval(prompt[hit.length :])
    np.testing.assert_allclose(last_logits(restored), fresh_logits, atol=TOLERANCE)


def test_the_seed_and_tokens_travel_with_the_state(open_model: OpenModel) -> None:
    source = open_model()
    source.set_seed(1234)
    tokens = source.tokenize(b"hello there")
    source.eval(tokens)
    restored = open_model()
    restore(restored, capture(source))
    assert restored._seed == 1234
    assert (restored.n_tokens, list(restored.input_ids[: len(tokens)])) == (len(tokens), tokens)


@pytest.mark.parametrize("damage", ["empty", "magic", "truncated", "extra"])
def test_bytes_that_are_not_a_state_raise_value_error(open_model: OpenModel, damage: str) -> None:
    source = open_model()
    source.eval(source.tokenize(b"hello"))
    data = capture(source)
    damaged = {
        "empty": b"",
        "magic": b"X" + data[1:],
        "truncated": data[:-1],
        "extra": data + b"\0",
    }[damage]
    target = open_model()
    with pytest.raises(ValueError, match="state"):
        restore(target, damaged)
    assert target.n_tokens == 0


def test_a_state_of_another_model_is_refused_and_leaves_an_empty_cache(
    open_model: OpenModel, tmp_path: Path
) -> None:
    other_path = write_random_model(tmp_path / "other.gguf", n_layer=3, seed=7)
    other = llama_cpp.Llama(model_path=str(other_path), n_ctx=512, verbose=False)
    try:
        other.eval(other.tokenize(b"hello there, how are you"))
        target = open_model()
        target.eval(target.tokenize(b"something else"))
        with pytest.raises(RuntimeError, match="did not accept"):
            restore(target, capture(other))
        assert target.n_tokens == 0
    finally:
        other.close()
