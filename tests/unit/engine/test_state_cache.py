"""The conversation state cache: longest-shared-prefix lookup, integrity checks, eviction,
clearing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from app.engine.state_cache import (
    DiskStates,
    MemoryStates,
    delete_saved_states,
    saved_states_size,
)
from app.engine.state_key import StateKey, model_identity

MODEL = "model-a"


def key(tokens: list[int], model_id: str = MODEL, n_ctx: int = 512, kv: str = "f16") -> StateKey:
    return StateKey(model_id, n_ctx, kv, tuple(tokens))


def state_for(tokens: list[int], size: int = 1000) -> bytes:
    """A payload that names its tokens, so a wrong hit shows in the assertion."""
    label = ",".join(map(str, tokens)).encode() + b"|"
    return (label * (size // len(label) + 1))[:size]


def found(
    store: DiskStates | MemoryStates, tokens: list[int], kv: str = "f16"
) -> tuple[int, bytes] | None:
    """What a lookup for `tokens` gives: the shared length and the state (None: nothing)."""
    hit = store.best_prefix(MODEL, 512, kv, tokens)
    return None if hit is None else (hit.length, hit.state)


def state_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.kvstate"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "states"


def test_put_then_lookup_returns_the_same_bytes_also_after_reopening(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    payload = os.urandom(5000)
    assert store.put(key([1, 2, 3]), payload)

    assert found(store, [1, 2, 3, 4, 5]) == (3, payload)
    assert found(DiskStates(folder, max_bytes=10**6), [1, 2, 3]) == (3, payload)


def test_the_state_sharing_the_longest_prefix_wins(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    stored = {
        (1, 2, 3, 4): state_for([1, 2, 3, 4]),
        (1, 2, 3, 5, 6, 7): state_for([1, 2, 3, 5, 6, 7]),  # longer than the prompt
        (1, 2, 9): state_for([1, 2, 9]),  # diverges at the third token
    }
    for tokens, payload in stored.items():
        store.put(key(list(tokens)), payload)

    assert found(store, [1, 2, 3, 5, 6]) == (5, stored[(1, 2, 3, 5, 6, 7)])
    assert found(store, [1, 2, 3, 8]) == (3, stored[(1, 2, 3, 4)])  # equal: the shorter state
    assert found(store, [1, 2, 9, 9]) == (3, stored[(1, 2, 9)])
    assert found(store, [7, 1, 2]) is None


def test_a_state_that_a_longer_one_extends_is_dropped(folder: Path) -> None:
    for store in (DiskStates(folder, max_bytes=10**6), MemoryStates(10, 10**6)):
        store.put(key([1, 2]), state_for([1, 2]))
        store.put(key([1, 2, 9]), state_for([1, 2, 9]))
        store.put(key([1, 2, 3, 4]), state_for([1, 2, 3, 4]))  # a conversation grew

        assert found(store, [1, 2, 3]) == (3, state_for([1, 2, 3, 4]))
        assert found(store, [1, 2, 9]) == (3, state_for([1, 2, 9]))  # another branch stays
        assert store.size_bytes() < 3 * 1000  # [1, 2] is gone
    assert len(state_files(folder)) == 2


@pytest.mark.parametrize(
    "other", [{"model_id": "model-b"}, {"n_ctx": 1024}, {"kv": "q8_0"}], ids=str
)
def test_another_model_context_or_kv_type_never_matches(
    folder: Path, other: dict[str, object]
) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    store.put(key([1, 2, 3], **other), state_for([1, 2, 3]))  # type: ignore[arg-type]

    assert found(store, [1, 2, 3, 4]) is None
    assert DiskStates(folder, max_bytes=10**6).best_prefix(MODEL, 512, "f16", [1, 2, 3]) is None


@pytest.mark.parametrize("damage", ["truncate", "flip_payload", "flip_header", "garbage"])
def test_a_damaged_file_is_ignored_and_deleted(folder: Path, damage: str) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    store.put(key([1, 2, 7]), state_for([1, 2, 7]))
    store.put(key([1, 2, 3, 4]), state_for([1, 2, 3, 4]))
    damaged = folder / key([1, 2, 3, 4]).file_name()
    data = bytearray(damaged.read_bytes())
    if damage == "truncate":
        data = data[: len(data) - 100]
    elif damage == "flip_payload":
        data[-10] ^= 0x01
    elif damage == "flip_header":
        data[50] ^= 0x01
    else:
        data = bytearray(b"not a state file at all")
    damaged.write_bytes(bytes(data))

    # The open store learns of the damage only when it reads the file; a new one at once.
    for reader in (store, DiskStates(folder, max_bytes=10**6)):
        assert found(reader, [1, 2, 3, 4, 5]) == (2, state_for([1, 2, 7]))
    assert not damaged.exists()
    assert state_files(folder) == [folder / key([1, 2, 7]).file_name()]


def test_eviction_keeps_the_cap_and_drops_the_least_recently_used(folder: Path) -> None:
    one_file = len(_stored_file_bytes(folder / "probe", key([1]), state_for([1], 10_000)))
    store = DiskStates(folder, max_bytes=3 * one_file + 100)
    for first in (1, 2, 3):
        assert store.put(key([first]), state_for([first], 10_000))
    assert found(store, [1]) is not None  # 1 is now the most recent

    assert store.put(key([4]), state_for([4], 10_000))

    assert store.size_bytes() <= 3 * one_file + 100
    assert found(store, [2]) is None
    for kept in (1, 3, 4):
        assert found(store, [kept]) is not None
    assert len(state_files(folder)) == 3
    assert sum(path.stat().st_size for path in state_files(folder)) == store.size_bytes()


def test_the_use_order_survives_reopening(folder: Path) -> None:
    one_file = len(_stored_file_bytes(folder / "probe", key([1]), state_for([1], 10_000)))
    store = DiskStates(folder, max_bytes=10**6)
    for first in (1, 2, 3):
        store.put(key([first]), state_for([first], 10_000))
    found(store, [1])

    reopened = DiskStates(folder, max_bytes=2 * one_file)  # a lower cap evicts on opening

    assert found(reopened, [2]) is None
    assert found(reopened, [1]) is not None
    assert found(reopened, [3]) is not None


def test_a_state_larger_than_the_cap_is_not_stored(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=5000)
    assert not store.put(key([1]), os.urandom(6000))
    assert store.size_bytes() == 0
    assert state_files(folder) == []


def test_clear_empties_the_store_and_the_folder(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    for first in (1, 2, 3):
        store.put(key([first]), state_for([first]))
    assert store.size_bytes() > 3000

    store.clear()

    assert store.size_bytes() == 0
    assert state_files(folder) == []
    assert found(store, [1]) is None


def test_leftovers_of_an_interrupted_write_are_removed_on_opening(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / ".tmp-0123").write_bytes(b"half a state")
    DiskStates(folder, max_bytes=10**6)
    assert list(folder.iterdir()) == []


def test_threads_sharing_one_store_see_only_whole_states(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    problems: list[str] = []

    def work(worker: int) -> None:
        for round_ in range(20):
            tokens = [worker, round_ % 4]
            store.put(key(tokens), state_for(tokens, 2000))
            if found(store, [*tokens, 99]) != (2, state_for(tokens, 2000)):
                problems.append(f"worker {worker} round {round_}")

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert problems == []
    assert len(state_files(folder)) == 16
    assert sum(path.stat().st_size for path in state_files(folder)) == store.size_bytes()


def test_memory_layer_keeps_the_most_recent_within_its_limits() -> None:
    memory = MemoryStates(max_entries=2, max_bytes=10_000)
    memory.put(key([1]), b"a" * 1000)
    memory.put(key([2]), b"b" * 1000)
    assert found(memory, [2, 3]) == (1, b"b" * 1000)
    assert found(memory, [2, 3], kv="q8_0") is None
    found(memory, [1, 5])  # [1] becomes the most recent

    memory.put(key([3]), b"c" * 1000)  # over max_entries: [2] goes
    assert found(memory, [2]) is None
    assert found(memory, [1, 2]) == (1, b"a" * 1000)
    memory.put(key([4]), b"d" * 9500)  # over max_bytes: all older go
    assert memory.size_bytes() == 9500
    assert not memory.put(key([5]), b"e" * 10_001)
    memory.discard(key([4]))
    assert memory.size_bytes() == 0


def test_a_discarded_state_is_gone_from_disk(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    store.put(key([1, 2]), state_for([1, 2]))
    store.discard(key([1, 2]))
    assert found(store, [1, 2]) is None
    assert state_files(folder) == []


def test_the_folder_helpers_measure_and_delete_what_an_engine_stored(folder: Path) -> None:
    store = DiskStates(folder, max_bytes=10**6)
    for first in (1, 2):
        store.put(key([first]), state_for([first]))
    assert saved_states_size(folder) == store.size_bytes() > 2000

    delete_saved_states(folder)

    assert saved_states_size(folder) == 0
    assert found(store, [1]) is None  # the store that indexed them finds them gone


def test_model_identity_changes_when_the_file_is_replaced(tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF" + bytes(100))
    before = model_identity(model)
    assert model_identity(model) == before
    os.utime(model, ns=(1, 1))
    assert model_identity(model) != before
    model.write_bytes(b"GGUF" + bytes(101))
    assert model_identity(model) != before


def _stored_file_bytes(probe_folder: Path, state_key: StateKey, payload: bytes) -> bytes:
    """The exact file a store writes for one state, to size caps without hard-coded numbers."""
    DiskStates(probe_folder, max_bytes=10**9).put(state_key, payload)
    (path,) = state_files(probe_folder)
    return path.read_bytes()
