"""llama.cpp's log lines reach `logging` at their own level (real llama.cpp, in this process)."""

from __future__ import annotations

import logging
from pathlib import Path

import llama_cpp
import pytest

from app.engine.native_log import route_native_logs


def test_llama_cpp_errors_are_logged_as_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_model = tmp_path / "not-a-model.gguf"
    not_a_model.write_bytes(b"NOPE" + b"\x00" * 4092)
    route_native_logs()
    with (
        caplog.at_level(logging.DEBUG, logger="hearth.llama"),
        pytest.raises(ValueError, match="Failed to load"),
    ):
        llama_cpp.Llama(str(not_a_model), verbose=True)
    magic = [r for r in caplog.records if r.name == "hearth.llama" and "magic" in r.getMessage()]
    assert magic, [r.getMessage() for r in caplog.records]
    assert {r.levelno for r in magic} == {logging.ERROR}
