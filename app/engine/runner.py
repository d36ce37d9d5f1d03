"""The model itself: one `llama_cpp.Llama`, driven from the engine process's main thread.

Prompts are rendered here with the model's own chat template and fed to `Llama.generate`
token by token, so that Hearth knows exactly how many prompt tokens there were, how many
were reused from the KV cache, and when the first token came. Cancel is cooperative: a flag
checked after every token and, during prompt evaluation, by llama.cpp's abort callback.
"""

from __future__ import annotations

import codecs
import contextlib
import ctypes
import logging
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.engine.gguf_file import check_gguf_file
from app.engine.kept_states import KeptStates
from app.engine.protocol import (
    ChatMessage,
    ChatStats,
    FinishReason,
    LoadConfig,
    LoadProgress,
    ModelInfo,
    SamplingParams,
    TextPiece,
)
from app.engine.state_key import model_identity, shared_prefix_length
from app.errors import ContextOverflowError, EngineError, LoadCancelled, ModelFileError

if TYPE_CHECKING:
    import llama_cpp

log = logging.getLogger("hearth.engine")

# Used only when a GGUF carries no chat template: ChatML is understood by most small models.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}  # ggml_type ids


class CancelFlag:
    """Set from the engine's reader thread, read by the generation loop and abort callback."""

    def __init__(self) -> None:
        self.active_request = -1
        self.cancelled_request = -2

    def cancel(self, request_id: int) -> None:
        self.cancelled_request = request_id

    def is_set(self) -> bool:
        return self.cancelled_request == self.active_request


class ModelRunner:
    """Loads a model and streams chat replies from it; one request at a time."""

    def __init__(self, cancel: CancelFlag) -> None:
        self._cancel = cancel
        self._llm: llama_cpp.Llama | None = None
        self._template: Any = None
        self._abort_cb: Any = None  # the ctypes callback must outlive the context
        self._progress_cb: Any = None
        self._n_ctx = 0  # the context the loaded model can use (see `_usable_context`)
        self._kept: KeptStates | None = None  # conversations' states (LoadConfig.state_cache)

    # --- lifecycle ---------------------------------------------------------------------------

    def load(
        self, config: LoadConfig, progress: Callable[[LoadProgress], None] | None = None
    ) -> ModelInfo:
        import llama_cpp

        from app.engine.native_backends import load_backends

        load_backends()
        self.unload()
        path = config.model_path
        check_gguf_file(path)
        started = time.perf_counter()
        flash_attn = config.kv_cache_type != "f16"  # a quantized V cache needs flash attention
        try:
            with self._reporting_load_progress(progress or (lambda _p: None)):
                llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=config.n_ctx,
                    n_threads=config.n_threads,
                    n_threads_batch=config.n_threads,
                    n_gpu_layers=config.n_gpu_layers,
                    n_batch=config.n_batch,
                    type_k=KV_TYPES.get(config.kv_cache_type, 1),
                    type_v=KV_TYPES.get(config.kv_cache_type, 1),
                    flash_attn=flash_attn,
                    verbose=True,  # False would redirect fds 1 and 2; ours go to the log
                )
        except (ValueError, RuntimeError, OSError) as exc:
            if self._cancel.is_set():
                raise LoadCancelled(f"Loading {path.name} was stopped.") from exc
            raise ModelFileError(
                f"{path} could not be loaded: it is not a usable GGUF model for this version "
                f"of Hearth ({exc}). Try another file or a newer Hearth."
            ) from exc
        self._llm = llm
        self._n_ctx = _usable_context(llm, config)
        _warm_up(llm)
        self._install_abort_callback(llm)
        if config.state_cache is not None:
            model_id = model_identity(path)
            self._kept = KeptStates(config.state_cache, model_id, self._n_ctx, config.kv_cache_type)
        warnings = self._prepare_template(llm, path)
        return self._describe(llm, config, (time.perf_counter() - started) * 1000, warnings)

    @contextlib.contextmanager
    def _reporting_load_progress(self, report: Callable[[LoadProgress], None]) -> Iterator[None]:
        """Report load progress, and stop the load when cancelled.

        `Llama()` takes no progress callback, but it builds its model parameters with
        `llama_model_default_params()` inside the constructor: for the duration of one load
        that function is wrapped to add our callback (this process loads one model at a time).
        llama.cpp calls back once per tensor; only whole-percent steps are reported.
        """
        from llama_cpp import llama_cpp as native

        original = native.llama_model_default_params
        last = [-1]

        def on_progress(fraction: float, _data: ctypes.c_void_p) -> bool:
            percent = int(fraction * 100)
            if percent != last[0]:
                last[0] = percent
                report(LoadProgress(percent / 100))
            return not self._cancel.is_set()

        callback = native.llama_progress_callback(on_progress)
        self._progress_cb = callback  # Llama keeps the params; keep the callback alive too

        def params_with_progress() -> Any:
            params = original()
            params.progress_callback = callback
            return params

        native.llama_model_default_params = params_with_progress
        try:
            yield
        finally:
            native.llama_model_default_params = original

    def unload(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        if self._llm is not None:
            self._llm.close()
            self._llm = None
            self._template = None

    def _install_abort_callback(self, llm: llama_cpp.Llama) -> None:
        import llama_cpp

        def should_abort(_data: ctypes.c_void_p) -> bool:
            return self._cancel.is_set()

        self._abort_cb = llama_cpp.ggml_abort_callback(should_abort)
        llama_cpp.llama_set_abort_callback(llm._ctx.ctx, self._abort_cb, None)

    def _watch_inside_llama(self, llm: llama_cpp.Llama, watch: bool) -> None:
        """Turn the abort callback on or off. llama.cpp calls it after every node of the
        graph, some 550 calls into Python per generated token of a 0.5B model: 2 % of the
        decode speed (tests/bench, suite engine). Only prompt evaluation, one long
        `llama_decode`, needs it; while generating, the loop checks the flag after every
        token, so a Stop waits at most for the token being computed."""
        import llama_cpp

        callback = self._abort_cb if watch else llama_cpp.ggml_abort_callback(0)  # 0: none
        llama_cpp.llama_set_abort_callback(llm._ctx.ctx, callback, None)

    def _prepare_template(self, llm: llama_cpp.Llama, path: Path) -> tuple[str, ...]:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = llm.metadata.get("tokenizer.chat_template")
        warnings: tuple[str, ...] = ()
        if not template:
            name = llm.metadata.get("general.name") or path.name
            message = (
                f"The model {name} has no chat template; Hearth uses the common ChatML "
                "format, which this model may not follow well."
            )
            log.warning(message)
            warnings = (message,)
            template = FALLBACK_TEMPLATE
        eos_id, bos_id = llm.token_eos(), llm.token_bos()
        self._template = Jinja2ChatFormatter(
            template=template,
            eos_token=llm._model.token_get_text(eos_id) if eos_id != -1 else "",
            bos_token=llm._model.token_get_text(bos_id) if bos_id != -1 else "",
        )
        return warnings

    def _describe(
        self, llm: llama_cpp.Llama, config: LoadConfig, load_ms: float, warnings: tuple[str, ...]
    ) -> ModelInfo:
        meta = llm.metadata
        path = config.model_path
        return ModelInfo(
            path=path,
            name=meta.get("general.name") or path.stem,
            architecture=meta.get("general.architecture", "unknown"),
            n_ctx=self._n_ctx,
            n_ctx_train=llm._model.n_ctx_train(),
            n_vocab=llm.n_vocab(),
            n_params=int(llm._model.n_params()),
            file_size=path.stat().st_size,
            has_chat_template=not warnings,
            load_ms=load_ms,
            warnings=warnings,
        )

    # --- requests ----------------------------------------------------------------------------

    def _model(self) -> llama_cpp.Llama:
        if self._llm is None:
            raise EngineError("No model is loaded. Load a model first.")
        return self._llm

    def tokenize_chat(
        self,
        messages: Sequence[ChatMessage],
        add_generation_prompt: bool = True,
        reply_prefix: str = "",
    ) -> list[int]:
        """The templated prompt's tokens; `reply_prefix` is appended after the generation
        prompt as plain text, so the model carries on a reply it had begun."""
        llm = self._model()
        self._template.add_generation_prompt = add_generation_prompt
        try:
            rendered = self._template(
                messages=[{"role": m.role, "content": m.content} for m in messages]
            )
        except Exception as exc:  # jinja raises TemplateError or a template's own ValueError
            raise EngineError(
                f"The model's chat template could not format this conversation ({exc})."
            ) from exc
        # One string, so the reply's first word merges with the generation prompt exactly as
        # when the model wrote it (a separate tokenize would add a leading space marker).
        tokens: list[int] = llm.tokenize(
            (rendered.prompt + reply_prefix).encode("utf-8"), add_bos=False, special=True
        )
        return tokens

    def tokenize_text(self, text: str) -> list[int]:
        """Tokens of plain text as it sits inside a message (no BOS, special tokens as text)."""
        tokens: list[int] = self._model().tokenize(
            text.encode("utf-8"), add_bos=False, special=False
        )
        return tokens

    def chat(
        self,
        messages: Sequence[ChatMessage],
        sampling: SamplingParams,
        emit: Callable[[TextPiece], None],
        reply_prefix: str = "",
    ) -> ChatStats:
        import llama_cpp

        llm = self._model()
        started = time.perf_counter()
        prompt = self.tokenize_chat(messages, reply_prefix=reply_prefix)
        n_ctx = self._n_ctx
        if len(prompt) >= n_ctx:
            raise ContextOverflowError(
                f"The conversation needs {len(prompt)} tokens but the model's context holds "
                f"{n_ctx}. Start a new conversation or raise the context length."
            )
        room = n_ctx - len(prompt)
        budget = min(sampling.max_tokens, room)
        cached = self._reusable_prefix(prompt)
        restored_from = self._kept.restore_into(llm, prompt, cached) if self._kept else ""
        if restored_from:
            cached = self._reusable_prefix(prompt)
        seed = sampling.seed if sampling.seed is not None else secrets.randbits(31)
        llm.set_seed(seed)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        vocab = llm._model.vocab
        finish: FinishReason = "length" if budget == sampling.max_tokens else "context"
        count, first_at, last_at = 0, 0.0, 0.0
        tokens = llm.generate(
            prompt,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
        )
        try:
            for token in tokens:
                now = time.perf_counter()
                if first_at == 0.0:
                    first_at = now
                    self._watch_inside_llama(llm, False)  # the prompt is read
                if self._cancel.is_set():
                    finish = "cancelled"
                    break
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                count, last_at = count + 1, now
                text = decoder.decode(llm.detokenize([token]))
                if text:
                    emit(TextPiece(text))
                if count >= budget:
                    break
        except RuntimeError:
            if not self._cancel.is_set():
                raise
            finish = "cancelled"  # llama_decode was aborted during prompt evaluation
        finally:
            tokens.close()
            self._watch_inside_llama(llm, True)
        tail = decoder.decode(b"", final=True)
        if tail:
            emit(TextPiece(tail))
        return ChatStats(
            prompt_tokens=len(prompt),
            cached_tokens=cached,
            completion_tokens=count,
            ttft_ms=((first_at or time.perf_counter()) - started) * 1000,
            tokens_per_s=(count - 1) / (last_at - first_at)
            if count > 1 and last_at > first_at
            else 0.0,
            finish_reason=finish,
            seed=seed,
            restored_from=restored_from,
        )

    def keep_state(self) -> None:
        """Keep what the model has just evaluated, for when this conversation returns.
        Called after the reply has gone out, so it never delays it."""
        if self._kept is not None and self._llm is not None:
            self._kept.keep(self._llm)

    def _reusable_prefix(self, prompt: list[int]) -> int:
        """How many prompt tokens `generate` will take from the KV cache (its own rule)."""
        llm = self._model()
        common = shared_prefix_length(llm.input_ids[: llm.n_tokens], prompt)
        return common - 1 if common == len(prompt) else common


def _warm_up(llm: llama_cpp.Llama) -> None:
    """Run one token through the whole model and forget it, as llama.cpp's own tools do after
    loading. The first decode of a process pages the weights in and sizes the compute buffers:
    without this it lands on the first reply after every start (returning to a conversation
    after a restart took 2.38x a later new conversation's first turn; 1.57x with it). Now it
    is part of the load, which the user already waits for."""
    bos = llm.token_bos()
    llm.eval([bos if bos >= 0 else 0])
    llm.reset()  # type: ignore[no-untyped-call]


def _usable_context(llm: llama_cpp.Llama, config: LoadConfig) -> int:
    """The context a prompt and its reply may fill. llama.cpp rounds the context up (to a
    multiple of 256), but llama-cpp-python's token buffer keeps the size asked for: a
    prompt past that size fails inside the library, so the smaller of the two is the limit."""
    return min(llm.n_ctx(), config.n_ctx)
