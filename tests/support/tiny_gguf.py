"""Tiny llama-architecture GGUF models, written on the fly for tests.

Real models are gigabytes and are never downloaded in tests, yet the app's model code must run
against the real llama.cpp: loading, chat templates, streaming, cancelling, errors. These writers
produce models of a few hundred kilobytes that llama.cpp loads in milliseconds:

- a *scripted* model whose answer is known in advance (so tests can assert exact text),
- a *random* model that babbles until ``max_tokens`` (throughput, streaming, cancel tests),
- a *slow* random model that takes seconds to read a long prompt (cancel during prompt eval),
- broken files for the error paths.

All models share one small SentencePiece ("llama") vocabulary: control tokens, the 256 byte
tokens (so any UTF-8 text tokenizes by byte fallback), printable ASCII and a few whole words.
This module needs only ``gguf`` and ``numpy``; it never imports ``llama_cpp``.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypedDict

import gguf
import numpy as np
import numpy.typing as npt

__all__ = [
    "ARCHITECTURES",
    "BOS_ID",
    "CHATML_TEMPLATE",
    "EOS_ID",
    "IM_END_ID",
    "IM_START_ID",
    "PAD_ID",
    "SLOW_MODEL_SHAPE",
    "UNK_ID",
    "ModelShape",
    "Vocab",
    "build_vocab",
    "long_text",
    "reply_pieces",
    "synthetic_words",
    "write_bad_files",
    "write_random_model",
    "write_scripted_model",
    "write_slow_model",
]

# --- the shared vocabulary ---------------------------------------------------------------------

SPACE: Final = "\u2581"
"""SentencePiece's visible space marker: llama.cpp replaces " " with it before tokenizing."""

UNK_ID: Final = 0
BOS_ID: Final = 1
EOS_TEXT_ID: Final = 2
"""``</s>``: not the eos of these models, but llama.cpp still treats it as end-of-generation."""
IM_START_ID: Final = 3
IM_END_ID: Final = 4
EOS_ID: Final = IM_END_ID
"""``<|im_end|>`` is the eos, so a chat turn ends where the chatml template ends a message."""
PAD_ID: Final = UNK_ID

_SPECIAL_TOKENS: Final = (
    ("<unk>", gguf.TokenType.UNKNOWN),
    ("<s>", gguf.TokenType.CONTROL),
    ("</s>", gguf.TokenType.CONTROL),
    ("<|im_start|>", gguf.TokenType.CONTROL),
    ("<|im_end|>", gguf.TokenType.CONTROL),
)

_PRINTABLE: Final = tuple(chr(c) for c in range(0x21, 0x7F))
"""Printable ASCII without the space, which SentencePiece always spells as the marker."""

_WORDS: Final = ("Hello", f"{SPACE}world")
"""Whole words of the default reply. No merge path leads to them, so text never produces them:
they only appear when the scripted model generates them."""

CHATML_TEMPLATE: Final = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
"""A chatml chat template in the jinja dialect that llama-cpp-python renders."""


@dataclass(frozen=True)
class Vocab:
    """A SentencePiece vocabulary as the three parallel arrays GGUF stores."""

    tokens: tuple[str, ...]
    scores: tuple[float, ...]
    types: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.tokens)

    def id_of(self, text: str) -> int:
        """The id of the token spelled ``text`` (llama.cpp requires unique spellings)."""
        return self.tokens.index(text)


def build_vocab(extra_tokens: Sequence[str] = ()) -> Vocab:
    """The shared vocabulary, plus ``extra_tokens`` (NORMAL) appended at the end.

    Layout: the five special tokens (ids 0-4), the byte tokens ``<0x00>``..``<0xFF>`` (ids
    5-260), the space marker, printable ASCII, the marker + each printable character (so " a"
    is one token), then the whole words. Spellings that already exist are not added twice:
    llama.cpp aborts on duplicate token texts.
    """
    tokens: list[str] = []
    scores: list[float] = []
    types: list[int] = []

    def add(text: str, score: float, token_type: gguf.TokenType) -> None:
        tokens.append(text)
        scores.append(score)
        types.append(int(token_type))

    for text, token_type in _SPECIAL_TOKENS:
        add(text, 0.0, token_type)
    for byte in range(256):
        add(f"<0x{byte:02X}>", 0.0, gguf.TokenType.BYTE)
    # Scores only rank merges; the only merges text can reach are marker + character.
    add(SPACE, -2.0, gguf.TokenType.NORMAL)
    for char in _PRINTABLE:
        add(char, -2.0, gguf.TokenType.NORMAL)
    for char in _PRINTABLE:
        add(SPACE + char, -1.0, gguf.TokenType.NORMAL)
    seen = set(tokens)
    for text in (*_WORDS, *extra_tokens):
        if text not in seen:
            seen.add(text)
            add(text, -1.0, gguf.TokenType.NORMAL)
    return Vocab(tuple(tokens), tuple(scores), tuple(types))


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    n_embd: int
    n_layer: int
    n_head: int
    n_kv_head: int
    n_ff: int
    context_length: int

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def check(self) -> None:
        if self.n_embd % self.n_head or self.n_head % self.n_kv_head:
            raise ValueError(
                f"n_embd ({self.n_embd}) must be a multiple of n_head ({self.n_head}), and "
                f"n_head a multiple of n_kv_head ({self.n_kv_head})"
            )
        if self.head_dim % 2:
            raise ValueError(f"head_dim {self.head_dim} must be even for rope")


_Array = npt.NDArray[np.float32] | npt.NDArray[np.float16] | npt.NDArray[np.uint8]
"""A tensor as written: float32/float16 values, or the bytes of a quantized tensor (whose
type is then the file's ``weight_type``)."""

ARCHITECTURES: Final = ("llama", "qwen2")
"""What ``write_random_model`` can write: qwen2 is llama plus biases on the q, k and v
projections (and a larger rope base); llama.cpp runs each with its own graph."""


def _write_gguf(
    path: Path,
    *,
    name: str,
    vocab: Vocab,
    shape: _Shape,
    tensors: Mapping[str, _Array],
    chat_template: str | None,
    file_type: gguf.LlamaFileType,
    architecture: str = "llama",
    weight_type: gguf.GGMLQuantizationType | None = None,
) -> Path:
    """Write a llama- or qwen2-architecture GGUF with the keys llama.cpp needs to load it.

    Besides the obvious hyper-parameters, llama.cpp insists on ``rope.dimension_count`` and
    on a token list with scores and types; ``general.file_type`` is informative only.
    uint8 tensors are the bytes of ``weight_type`` (a quantized type).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_name(name)
    writer.add_file_type(int(file_type))
    writer.add_context_length(shape.context_length)
    writer.add_embedding_length(shape.n_embd)
    writer.add_block_count(shape.n_layer)
    writer.add_feed_forward_length(shape.n_ff)
    writer.add_head_count(shape.n_head)
    writer.add_head_count_kv(shape.n_kv_head)
    writer.add_rope_dimension_count(shape.head_dim)
    writer.add_rope_freq_base(1_000_000.0 if architecture == "qwen2" else 10000.0)
    writer.add_layer_norm_rms_eps(1e-5)

    writer.add_tokenizer_model("llama")
    writer.add_token_list(list(vocab.tokens))
    writer.add_token_scores(list(vocab.scores))
    writer.add_token_types(list(vocab.types))
    writer.add_bos_token_id(BOS_ID)
    writer.add_eos_token_id(EOS_ID)
    writer.add_unk_token_id(UNK_ID)
    writer.add_pad_token_id(PAD_ID)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    for tensor_name, data in tensors.items():
        raw_dtype = weight_type if data.dtype == np.uint8 else None
        writer.add_tensor(tensor_name, np.ascontiguousarray(data), raw_dtype=raw_dtype)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _block_tensor_shapes(
    shape: _Shape, layer: int, architecture: str = "llama"
) -> dict[str, tuple[int, ...]]:
    """numpy shapes (the reverse of GGML's) of one transformer block's tensors."""
    q_dim = shape.n_head * shape.head_dim
    kv_dim = shape.n_kv_head * shape.head_dim
    prefix = f"blk.{layer}"
    biases: dict[str, tuple[int, ...]] = {}
    if architecture == "qwen2":
        biases = {
            f"{prefix}.attn_q.bias": (q_dim,),
            f"{prefix}.attn_k.bias": (kv_dim,),
            f"{prefix}.attn_v.bias": (kv_dim,),
        }
    return {
        f"{prefix}.attn_norm.weight": (shape.n_embd,),
        f"{prefix}.attn_q.weight": (q_dim, shape.n_embd),
        f"{prefix}.attn_k.weight": (kv_dim, shape.n_embd),
        f"{prefix}.attn_v.weight": (kv_dim, shape.n_embd),
        **biases,
        f"{prefix}.attn_output.weight": (shape.n_embd, q_dim),
        f"{prefix}.ffn_norm.weight": (shape.n_embd,),
        f"{prefix}.ffn_gate.weight": (shape.n_ff, shape.n_embd),
        f"{prefix}.ffn_up.weight": (shape.n_ff, shape.n_embd),
        f"{prefix}.ffn_down.weight": (shape.n_embd, shape.n_ff),
    }


# --- the scripted model ------------------------------------------------------------------------

_PIECE_RE: Final = re.compile(r"\s*\w+|\s*[^\w\s]+|\s+")
_MAX_PIECE_BYTES: Final = 32
"""llama-cpp-python detokenizes through a 32-byte buffer per token: longer pieces come out
garbled, so no token of a scripted reply may be longer."""


def _chunks(piece: str, limit: int = _MAX_PIECE_BYTES // 2) -> list[str]:
    """Cut ``piece`` into runs of at most ``limit`` UTF-8 bytes, on character boundaries."""
    chunks = [""]
    for char in piece:
        if chunks[-1] and len((chunks[-1] + char).encode()) > limit:
            chunks.append("")
        chunks[-1] += char
    return chunks


def reply_pieces(reply: str) -> list[str]:
    """Split ``reply`` into the distinct token spellings the scripted model generates.

    A bigram model picks the next token from the current one alone, so every token of the reply
    must be a different id: the reply is cut into words (with their leading space) and runs of
    punctuation, and a piece that was already used is glued to the following pieces, or else
    split in two unused halves. Spaces are spelled with the SentencePiece marker.
    Raises ``ValueError`` when no such spelling exists (e.g. "a a a").
    """
    raw = _PIECE_RE.findall(reply)
    # Whitespace on its own would be the only token of text such as "\n", which the prompt ends
    # with: keep it attached to the preceding piece.
    pieces: list[str] = []
    for piece in raw:
        if piece.isspace() and pieces:
            pieces[-1] += piece
        else:
            pieces.append(piece)
    pieces = [chunk for p in pieces for chunk in _chunks(p.replace(" ", SPACE))]
    specials = {text for text, _ in _SPECIAL_TOKENS}

    chosen: list[str] = []
    used: set[str] = set()

    def usable(text: str) -> bool:
        return (
            bool(text)
            and len(text.encode()) <= _MAX_PIECE_BYTES
            and text not in used
            and text not in specials
        )

    i = 0
    while i < len(pieces):
        candidate, j = pieces[i], i + 1
        while not usable(candidate) and j < len(pieces):
            candidate += pieces[j]
            j += 1
        if usable(candidate):
            chosen.append(candidate)
            used.add(candidate)
        else:
            for cut in range(len(candidate) - 1, 0, -1):
                head, tail = candidate[:cut], candidate[cut:]
                if usable(head) and usable(tail) and head != tail:
                    chosen += [head, tail]
                    used.update((head, tail))
                    break
            else:
                raise ValueError(
                    f"cannot spell the reply {reply!r} with distinct tokens; "
                    "a bigram model cannot repeat a token"
                )
        i = j
    return chosen


_SCRIPT_MARGIN: Final = 100.0
"""Logit lead of the scripted next token over every other token (all others are exactly 0).
Even at temperature 1 the chance of any other token is about n_vocab * e^-100: never."""


def write_scripted_model(
    path: Path,
    reply: str = "Hello, world!",
    *,
    chat_template: str | None = CHATML_TEMPLATE,
    name: str = "Scripted Tiny",
) -> Path:
    """Write a model that answers every chat prompt with exactly ``reply``, then eos.

    How: every transformer weight is zero, so each block adds nothing to the residual stream
    and the logits at the last position depend on the last token alone (a bigram model). Each
    reply token gets its own one-hot embedding slot; every other token shares slot 0. The
    output matrix is a next-token table: slot 0 -> first reply token, reply token k -> token
    k+1, last reply token -> ``<|im_end|>`` (eos). A chat prompt ends with the generation prompt
    (``assistant\\n``, a non-reply token), so generation starts at slot 0. The winning logit
    leads by 100, so the reply is the same under ordinary sampling (temperature 0.7-1.0,
    top_p 0.95) as with greedy decoding.

    ``chat_template=None`` writes no ``tokenizer.chat_template`` key at all.
    """
    pieces = reply_pieces(reply)
    vocab = build_vocab(pieces)
    script = [vocab.id_of(piece) for piece in pieces]
    if len(set(script)) != len(script):  # pragma: no cover - reply_pieces guarantees this
        raise AssertionError("reply tokens are not distinct")

    n_slots = len(script) + 1
    n_embd = max(16, -(-n_slots // 16) * 16)
    shape = _Shape(n_embd=n_embd, n_layer=1, n_head=2, n_kv_head=2, n_ff=32, context_length=4096)
    shape.check()

    slot_of = {token: k + 1 for k, token in enumerate(script)}
    embeddings = np.zeros((len(vocab), n_embd), dtype=np.float32)
    for token in range(len(vocab)):
        embeddings[token, slot_of.get(token, 0)] = 1.0

    # After the final RMS norm a one-hot vector of 1.0 becomes sqrt(n_embd) in its slot.
    weight = _SCRIPT_MARGIN / float(np.sqrt(n_embd))
    output = np.zeros((len(vocab), n_embd), dtype=np.float32)
    successors = [*script, EOS_ID]
    for slot, successor in enumerate(successors):
        output[successor, slot] = weight

    tensors: dict[str, _Array] = {
        "token_embd.weight": embeddings,
        "output_norm.weight": np.ones(n_embd, dtype=np.float32),
        "output.weight": output,
    }
    for layer in range(shape.n_layer):
        for tensor_name, tensor_shape in _block_tensor_shapes(shape, layer).items():
            is_norm = len(tensor_shape) == 1
            tensors[tensor_name] = (np.ones if is_norm else np.zeros)(
                tensor_shape, dtype=np.float32
            )
    return _write_gguf(
        path,
        name=name,
        vocab=vocab,
        shape=shape,
        tensors=tensors,
        chat_template=chat_template,
        file_type=gguf.LlamaFileType.ALL_F32,
    )


# --- random models ---------------------------------------------------------------------------


def _babble_ids(vocab: Vocab) -> list[int]:
    """Tokens a random model may emit: letters and digits, optionally after a space.

    Excluded on purpose: control tokens (eos would end a throughput test early), byte tokens
    (half a UTF-8 character makes streaming hold text back) and punctuation (``<`` starts the
    ``<|im_end|>`` stop string, which makes streaming hold text back too).
    """
    return [
        token
        for token, (text, kind) in enumerate(zip(vocab.tokens, vocab.types, strict=True))
        if kind == gguf.TokenType.NORMAL and text.removeprefix(SPACE).isalnum()
    ]


def synthetic_words(count: int) -> list[str]:
    """``count`` distinct made-up tokens (lowercase letter runs, with and without the space
    marker, shortest first) to grow the vocabulary to a real model's size. Every prefix of
    each is in the vocabulary too, so ordinary text merges into them as it would with a real
    tokenizer (a few characters a token instead of one)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: list[str] = []
    for length in range(2, 8):
        for lead in (SPACE, ""):
            for combo in itertools.product(letters, repeat=length):
                words.append(lead + "".join(combo))
                if len(words) == count:
                    return words
    raise ValueError(f"cannot make {count} synthetic tokens")


_QUANTIZED: Final = {
    gguf.GGMLQuantizationType.Q8_0: gguf.LlamaFileType.MOSTLY_Q8_0,
    gguf.GGMLQuantizationType.Q4_0: gguf.LlamaFileType.MOSTLY_Q4_0,
}


def write_random_model(
    path: Path,
    *,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_kv_head: int | None = None,
    n_ff: int = 128,
    context_length: int = 4096,
    seed: int = 0,
    chat_template: str | None = CHATML_TEMPLATE,
    name: str = "Random Tiny",
    architecture: str = "llama",
    n_vocab: int | None = None,
    weight_type: gguf.GGMLQuantizationType = gguf.GGMLQuantizationType.F16,
    block_std: float = 0.02,
) -> Path:
    """Write a model with random weights (std 0.02, float16; norms float32 ones).

    It babbles letters, digits and words forever: it never emits eos, control or byte tokens,
    so a generation runs to ``max_tokens`` and every streamed chunk is exactly one token. That
    is arranged by giving every token embedding a constant 1.0 in dimension 0 (random weights
    this small barely change the residual stream, so dimension 0 dominates the final norm)
    and a large negative weight in that dimension of the output rows of the forbidden tokens.
    Speed depends only on the shape, never on the weight values.

    Real sizes: ``architecture`` "qwen2" (see ARCHITECTURES), ``n_vocab`` pads the shared
    vocabulary with ``synthetic_words``, and ``weight_type`` Q8_0 or Q4_0 quantizes every
    matrix (with ``gguf.quants``, as llama.cpp would) instead of storing float16. Blocks of a
    real model's width and depth add enough noise to swamp dimension 0 (a 1.5B shape then
    emits byte tokens): give them a smaller ``block_std`` (0.002 keeps it below 0.2).
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, not {architecture!r}")
    shape = _Shape(
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_kv_head=n_head if n_kv_head is None else n_kv_head,
        n_ff=n_ff,
        context_length=context_length,
    )
    shape.check()
    base = build_vocab()
    vocab = base if n_vocab is None else build_vocab(synthetic_words(n_vocab - len(base)))
    rng = np.random.default_rng(seed)

    def matrix(values: npt.NDArray[np.float32]) -> _Array:
        if weight_type == gguf.GGMLQuantizationType.F16:
            return values.astype(np.float16)
        quantized: npt.NDArray[np.uint8] = gguf.quants.quantize(values, weight_type)
        return quantized

    def normal(tensor_shape: tuple[int, ...], std: float = 0.02) -> npt.NDArray[np.float32]:
        return rng.standard_normal(tensor_shape, dtype=np.float32) * np.float32(std)

    embeddings = normal((len(vocab), n_embd))
    embeddings[:, 0] = 1.0
    output = normal((len(vocab), n_embd))
    forbidden = np.ones(len(vocab), dtype=bool)
    forbidden[_babble_ids(vocab)] = False
    output[forbidden, 0] = -20.0

    tensors: dict[str, _Array] = {
        "token_embd.weight": matrix(embeddings),
        "output_norm.weight": np.ones(n_embd, dtype=np.float32),
        "output.weight": matrix(output),
    }
    del embeddings, output
    for layer in range(n_layer):
        for tensor_name, tensor_shape in _block_tensor_shapes(shape, layer, architecture).items():
            if tensor_name.endswith(".bias"):
                tensors[tensor_name] = np.zeros(tensor_shape, dtype=np.float32)
            elif len(tensor_shape) == 1:
                tensors[tensor_name] = np.ones(tensor_shape, dtype=np.float32)
            else:
                tensors[tensor_name] = matrix(normal(tensor_shape, block_std))
    return _write_gguf(
        path,
        name=name,
        vocab=vocab,
        shape=shape,
        tensors=tensors,
        chat_template=chat_template,
        file_type=_QUANTIZED.get(weight_type, gguf.LlamaFileType.MOSTLY_F16),
        architecture=architecture,
        weight_type=weight_type,
    )


class ModelShape(TypedDict):
    """Shape arguments of ``write_random_model``."""

    n_embd: int
    n_layer: int
    n_head: int
    n_ff: int


SLOW_MODEL_SHAPE: Final[ModelShape] = {
    "n_embd": 384,
    "n_layer": 8,
    "n_head": 6,
    "n_ff": 1024,
}


def write_slow_model(path: Path) -> Path:
    """Write a random model that needs seconds to evaluate a long prompt.

    Lets a test cancel *during prompt evaluation* (llama.cpp's abort callback), which a tiny
    model finishes before the test can react. Shape ``SLOW_MODEL_SHAPE``: n_embd 384, 8 layers,
    6 heads (head_dim 64), n_ff 1024, float16; 29 MB on disk, written in ~0.4 s, loaded in
    ~0.05 s. At this size attention over the long context dominates, not the weights.

    Measured on the 2-core x86-64 dev box (AVX-512, llama-cpp-python 0.3.36 CPU build),
    n_ctx=4096, n_threads=2, n_batch=512: evaluating a 3000-token prompt took 2.7-3.4 s
    (six runs). An abort callback set to fire after 0.5 s stopped ``eval`` at 0.5 s with
    "llama_decode returned 2", and the model generated normally afterwards.
    """
    return write_random_model(path, **SLOW_MODEL_SHAPE, name="Slow Tiny")


# --- prose -------------------------------------------------------------------------------------

_FILLER_WORDS: Final = tuple(
    (  # noqa: SIM905 - a word list reads better as prose
        "the river lantern quiet morning harbor stone garden letter window winter orchard "
        "meadow candle kettle bridge market village pebble journey shadow thread compass "
        "ladder blanket sparrow ember hollow valley signal harvest archive copper velvet "
        "whistle marble season corner ribbon tunnel beacon island ferry paper"
    ).split()
)
_FILLER_GLUE: Final = ("and", "of", "near", "under", "beside", "with", "from", "into")


def long_text(n_words: int, seed: int = 0) -> str:
    """Deterministic filler prose of exactly ``n_words`` words, for long prompts.

    Plain ASCII sentences of 6 to 14 words, so token counts are predictable (about one token
    per character with the shared vocabulary) and nothing in it is special to a template.
    """
    rng = random.Random(seed)
    sentences: list[str] = []
    remaining = n_words
    while remaining > 0:
        length = min(remaining, rng.randint(6, 14))
        words = [
            rng.choice(_FILLER_GLUE) if k % 3 == 1 else rng.choice(_FILLER_WORDS)
            for k in range(length)
        ]
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        remaining -= length
    return " ".join(sentences)


# --- broken files ------------------------------------------------------------------------------


def write_bad_files(folder: Path) -> dict[str, Path]:
    """Write files that must be rejected as models, each named ``*.gguf``.

    ``empty`` (0 bytes), ``truncated`` (a valid scripted model cut to 60% of its size),
    ``wrong_magic`` (a valid model whose first 4 bytes are not "GGUF"), ``random_bytes``
    (64 KiB of noise) and ``text`` (prose with a .gguf name).
    """
    folder.mkdir(parents=True, exist_ok=True)
    valid = write_scripted_model(folder / "valid.tmp")
    data = valid.read_bytes()
    valid.unlink()

    files = {
        "empty": b"",
        "truncated": data[: len(data) * 6 // 10],
        "wrong_magic": b"GGUX" + data[4:],
        "random_bytes": random.Random(1234).randbytes(64 * 1024),
        "text": ("This is not a model.\n" + long_text(200) + "\n").encode(),
    }
    paths: dict[str, Path] = {}
    for label, content in files.items():
        target = folder / f"{label}.gguf"
        target.write_bytes(content)
        paths[label] = target
    return paths
