"""Guards against a Qt binding that breaks Hearth in ways unit tests would not pin down.

PySide6 6.12.0's `Signal.emit()` returns `True` without taking a reference. On Python 3.11,
where `True` is not immortal, every emit takes one reference away; a long streamed reply
emits thousands of signals and the process aborts ("bool_dealloc"). pyproject.toml excludes
that release; this test fails if a binding with the same fault is ever installed.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    changed = Signal(object)


def test_emitting_signals_keeps_the_reference_counts_of_true_and_false(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[object] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for n in range(200):
        emitter.changed.emit(n)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(received) == 200
    assert after == before
