"""Window figures: cold start, memory, event-loop stalls while streaming, a long conversation.

All on Qt's offscreen platform (this machine has no display; a real one adds the
compositor's share, the same for every app).

- cold start: a fresh `python` process runs Hearth's real entry point (`app.cli.main`, as
  the `hearth` command does) on an existing Hearth home with no model; the figure is from
  spawning the process to the main window shown and painted (the onboarding dialog, which
  opens when no model is installed, included). The first run, which creates the home, is
  not counted. RSS is that process's resident memory at that moment (the engine's process
  is not started until a model is chosen).
- streaming: a reply of random tokens from a small generated model streams into the real
  window through the real engine process; a 5 ms heartbeat timer runs beside it, and the
  longest gap between two beats, minus the 5 ms, is the longest stall. The random model
  is fast (hundreds of tokens a second), so this is harsher than a real model.
- opening: a click on a 2,000-message conversation in the sidebar, until its transcript is
  shown and painted, through the real path (the reading thread, `BackgroundReads`). Each
  opening alternates with opening a short conversation, so every one is a real switch.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tests.bench.figures import Figure, at_most, reported

if TYPE_CHECKING:  # Qt is imported when the figures run, not when the suites are listed
    from PySide6.QtCore import SignalInstance

    from app.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
HEARTBEAT_MS = 5

COLD_START = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv[:1])


def report_when_shown():
    from app.ui.main_window import MainWindow
    import psutil

    shown = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(1, report_when_shown)
        return
    shown[0].repaint()
    print(time.time(), psutil.Process().memory_info().rss, flush=True)
    app.quit()


QTimer.singleShot(0, report_when_shown)
from app.cli import main

sys.exit(main([]))
"""


def figures(quick: bool) -> Iterator[Figure]:
    runs = 3 if quick else 7
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="hearth-bench-window-") as home:
        starts, sizes = cold_starts(Path(home), runs)
    yield at_most("window: cold start to a shown window", statistics.median(starts), 1.0, "s")
    yield at_most("window: RSS without a model", statistics.median(sizes) / 2**20, 250, "MB")
    with _hearth_home() as home:
        yield from _in_the_window(home, runs, tokens=600 if quick else 1500)


def cold_starts(home: Path, runs: int) -> tuple[list[float], list[int]]:
    """Seconds to a shown window, and RSS bytes then, of `runs` fresh processes."""
    env = {**os.environ, "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    starts, sizes = [], []
    for run in range(runs + 1):
        spawned = time.time()  # the child reports time.time() too: one clock
        out = subprocess.run(
            [sys.executable, "-c", COLD_START],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            timeout=120,
        ).stdout
        shown, rss = out.split()[-2:]
        if run > 0:  # the first run creates the home: not a usual start
            starts.append(float(shown) - spawned)
            sizes.append(int(rss))
    return starts, sizes


@contextlib.contextmanager
def _hearth_home() -> Iterator[Path]:
    before = os.environ.get("HEARTH_HOME")
    with tempfile.TemporaryDirectory(prefix="hearth-bench-window-") as home:
        os.environ["HEARTH_HOME"] = home
        try:
            yield Path(home)
        finally:
            if before is None:
                del os.environ["HEARTH_HOME"]
            else:
                os.environ["HEARTH_HOME"] = before


def _in_the_window(home: Path, runs: int, tokens: int) -> Iterator[Figure]:
    from PySide6.QtWidgets import QApplication

    from app.runtime import Runtime
    from app.ui.chat_session import ChatSession
    from app.ui.main_window import MainWindow
    from tests.bench.window_data import long_and_short

    app = QApplication.instance() or QApplication([])
    runtime = Runtime.start()
    long, short = long_and_short(runtime.paths.database)
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        window = MainWindow(runtime, history, session)
        window.resize(1100, 720)
        window.show()
        try:
            opened = [_open_ms(window, short, long) for _ in range(runs)]
            yield at_most(
                "window: open a 2,000-message conversation", statistics.median(opened), 300, "ms"
            )
            pages = [_ms(window.transcript.load_earlier) for _ in range(5)]
            yield at_most(
                "window: scroll up, 20 earlier messages", statistics.median(pages), 50, "ms"
            )
            yield from _streaming(window, home, tokens)
        finally:
            window.close()
            session.shutdown()
    assert app is not None


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _wait(signal: SignalInstance, accept: Callable[..., bool], timeout_ms: int = 60_000) -> None:
    """Run the event loop until `signal` is emitted with arguments `accept` takes."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    done: list[bool] = []

    def check(*args: object) -> None:
        if accept(*args):
            done.append(True)
            loop.quit()

    signal.connect(check)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(check)
    if not done:
        raise TimeoutError(f"nothing came in {timeout_ms} ms")


def _click_conversation(window: MainWindow, cid: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view = window.sidebar.list_view
    index = window.sidebar.conversation_model.index_of(cid)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def _open_ms(window: MainWindow, short: int, long: int) -> float:
    """Open the short conversation, then time a click on the long one until painted."""
    shown = window.conversation_shown
    _click_conversation(window, short)
    _wait(shown, lambda cid: cid == short)
    started = time.perf_counter()
    _click_conversation(window, long)
    _wait(shown, lambda cid: cid == long)
    window.transcript.viewport().repaint()
    return (time.perf_counter() - started) * 1000


def _streaming(window: MainWindow, home: Path, tokens: int) -> Iterator[Figure]:
    """A reply of `tokens` random tokens streamed into a new conversation of the window."""
    from PySide6.QtCore import Qt, QTimer

    from app.catalog.library import ModelLibrary
    from app.engine.protocol import TextPiece
    from tests.support.tiny_gguf import write_random_model

    runtime = window.runtime
    runtime.settings.sampling.max_tokens = tokens
    runtime.settings.context_length = 4096
    installed = ModelLibrary(runtime.models_dir).import_file(
        write_random_model(home / "random.gguf")
    )
    session = window.session
    window.new_conversation()
    window.model_picker.refresh(installed.id)
    window.model_picker.model_chosen.emit(installed.path, installed.id)
    _wait(session.model_loaded, lambda _info: True)
    beats: list[float] = []
    pieces = itertools.count()
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    counting = lambda event: isinstance(event, TextPiece) and next(pieces)  # noqa: E731
    session.job_event.connect(counting)
    heartbeat.start(HEARTBEAT_MS)
    beats.append(time.perf_counter())
    window.turns.send("Tell me a long story.")
    _wait(session.job_finished, lambda _done: True)
    _wait(window.conversation_shown, lambda _cid: True)
    heartbeat.stop()
    session.job_event.disconnect(counting)
    gaps = [(b - a) * 1000 - HEARTBEAT_MS for a, b in itertools.pairwise(beats)]
    yield at_most(
        "window: longest event-loop stall while streaming",
        max(gaps),
        50,
        "ms",
        note=f"{next(pieces):,} pieces, {len(beats):,} beats",
    )
    yield reported("window: streaming, stalls over 20 ms", sum(g > 20 for g in gaps), "")
