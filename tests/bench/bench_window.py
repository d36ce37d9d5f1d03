"""Window figures for the closing notes: cold start, and event-loop stalls while streaming.

Run: .venv/bin/python -m tests.bench.bench_window   (prints figures; asserts nothing)
Cold start is measured in fresh processes (a new, empty Hearth home each: the first run
creates the database), from spawning the process to the window shown.
The stall is the longest gap between ticks of a 5 ms timer while the random model streams
a reply into the real window (target: 50 ms).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLD_START = """
import sys, time
from PySide6.QtWidgets import QApplication
from app.runtime import Runtime
from app.ui.chat_session import ChatSession
from app.ui.main_window import MainWindow
app = QApplication(sys.argv)
runtime = Runtime.start()
with runtime.open_history() as history:
    session = ChatSession(runtime.new_engine(), runtime.paths.database)
    window = MainWindow(runtime, history, session)
    window.show()
    app.processEvents()
    print(time.time())
    session.shutdown()
"""


def cold_start(runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "HEARTH_HOME": home, "QT_QPA_PLATFORM": "offscreen"}
            spawned = time.time()  # psutil's create_time is only precise to the boot second
            out = subprocess.run(
                [sys.executable, "-c", COLD_START],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout
            times.append(float(out.strip().splitlines()[-1]) - spawned)
    return times


def streaming_stall(tokens: int = 1500) -> tuple[float, int, int]:
    """Longest gap (ms) between 5 ms timer ticks while a reply streams; pieces; ticks."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from app.catalog.library import ModelLibrary
    from app.runtime import Runtime
    from app.ui.chat_session import ChatSession
    from app.ui.main_window import MainWindow
    from tests.support.tiny_gguf import write_random_model

    app = QApplication.instance() or QApplication(sys.argv)
    runtime = Runtime.start()
    runtime.settings.sampling.max_tokens = tokens
    runtime.settings.context_length = 4096
    model = write_random_model(Path(os.environ["HEARTH_HOME"]) / "random.gguf")
    installed = ModelLibrary(runtime.models_dir).import_file(model)
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        window = MainWindow(runtime, history, session)
        window.show()
        loop = QEventLoop()
        session.model_loaded.connect(loop.quit)
        window.model_picker.refresh(installed.id)
        window._on_model_chosen(installed.path, installed.id)
        loop.exec()
        gaps: list[float] = []
        pieces: list[str] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(tick)
        session.text_received.connect(pieces.append)
        session.turn_finished.connect(loop.quit)
        timer.start()
        window.turns.send("Tell me a long story.")
        loop.exec()
        timer.stop()
        window.close()
        session.shutdown()
    del app
    return max(gaps[1:]), len(pieces), len(gaps)


def main() -> None:
    starts = cold_start()
    print(
        f"cold start to a shown window (offscreen), median/max of {len(starts)}: "
        f"{statistics.median(starts) * 1000:.0f} ms / {max(starts) * 1000:.0f} ms"
    )
    with tempfile.TemporaryDirectory() as home:
        os.environ["HEARTH_HOME"] = home
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        worst, pieces, ticks = streaming_stall()
    print(
        f"longest event-loop stall while streaming {pieces} pieces into the window: "
        f"{worst:.1f} ms ({ticks} ticks of a 5 ms timer)"
    )


if __name__ == "__main__":
    main()
