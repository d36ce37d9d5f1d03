"""LlamaState to bytes and back, checked on a real (tiny, random-weight) llama.cpp model.

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

from app.engine.state_bytes import state_from_bytes, state_to_bytes
from app.engine.state_cache import DiskStates, StateKey, model_identity
from tests.support.tiny_gguf import long_text

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
    data = state_to_bytes(source.save_state())

    restored = open_model()
    restored.load_state(state_from_bytes(data))
    assert restored.n_tokens == len(prefix)
    restored.eval(prompt[len(prefix) :])  # only the new tokens
    np.testing.assert_allclose(last_logits(restored), fresh_logits, atol=TOLERANCE)

    restored_again = open_model()
    restored_again.load_state(state_from_bytes(data))
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
    wrong = state_from_bytes(state_to_bytes(source.save_state()))
    wrong.input_ids[: len(prefix)] = prefix  # the tokens claim the right prefix

    restored = open_model()
    restored.load_state(wrong)
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
    store.put(
        StateKey(model_id, 512, "f16", tuple(prompt[:-5])), state_to_bytes(source.save_state())
    )

    hit = DiskStates(tmp_path / "states", max_bytes=10**8).best_prefix(model_id, 512, "f16", prompt)
    assert hit is not None
    matched, data = hit
    restored = open_model()
    restored.load_state(state_from_bytes(data))
    assert matched == len(prompt) - 5
    restored.eval(prompt[matched:])
    np.testing.assert_allclose(last_logits(restored), fresh_logits, atol=TOLERANCE)


def test_scores_are_kept_only_when_asked(open_model: OpenModel) -> None:
    source = open_model()
    source.eval(source.tokenize(b"hello there"))
    state = source.save_state()
    state.scores = np.arange(state.scores.size, dtype=np.single).reshape(state.scores.shape)

    with_scores = state_from_bytes(state_to_bytes(state, include_scores=True))
    without = state_from_bytes(state_to_bytes(state))

    np.testing.assert_array_equal(with_scores.scores, state.scores)
    assert without.scores.shape == (1, 1)
    for copy in (with_scores, without):
        assert copy.n_tokens == state.n_tokens
        assert copy.seed == state.seed
        np.testing.assert_array_equal(
            copy.input_ids[: state.n_tokens], state.input_ids[: state.n_tokens]
        )
        assert len(copy.input_ids) == len(state.input_ids)
        assert copy.llama_state == state.llama_state


@pytest.mark.parametrize("damage", ["empty", "magic", "truncated", "extra"])
def test_bytes_that_are_not_a_state_raise_value_error(open_model: OpenModel, damage: str) -> None:
    source = open_model()
    source.eval(source.tokenize(b"hello"))
    data = state_to_bytes(source.save_state())
    damaged = {
        "empty": b"",
        "magic": b"X" + data[1:],
        "truncated": data[:-1],
        "extra": data + b"\0",
    }[damage]
    with pytest.raises(ValueError, match="state"):
        state_from_bytes(damaged)
