"""Save PNG screenshots of the window's main states, light and dark. Not run by CI.

Run:  .venv/bin/python -m tests.screenshots.take_screenshots docs/screenshots
Under Xvfb for a real window: xvfb-run -a .venv/bin/python -m tests.screenshots...
(with no display it falls back to Qt's offscreen platform, which renders the same widgets).
Models are generated and the history lives in a temporary HEARTH_HOME.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SAMPLE_REPLY = """Here is a plan:

1. **Pack** light.
2. Check the *weather*.

| Day | Place |
|-----|-------|
| Mon | Lisbon |
| Tue | Porto |

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

Raw HTML stays text: <img src="http://example.com/x.png"> and a [link](https://example.com).
"""

SAMPLE_DRAFTS = (
    "Subject: Re: Lunch on Friday?\n\nHi Ada,\n\nYes, Friday works for me. Shall we meet at "
    "12:30 at the new place on Elm Street? I am looking forward to it.\n\nBest wishes,\nSam",
    "Subject: Re: Lunch on Friday?\n\nHi Ada,\n\nFriday suits me: 12:30 on Elm Street?\n\nSam",
)


THEMES = ("light", "dark")
FACTS = {"model": "qwen2.5-1.5b-instruct-q4_k_m", "stats": {"tokens_per_s": 21.4}}


def main(out: Path) -> None:
    """Every main state of the window, once in the light theme and once in the dark one:
    OUT_DIR/light/NN-name.png and OUT_DIR/dark/NN-name.png. Each theme runs in a process
    of its own with a fresh data folder, so both sets show the same conversations."""
    for theme in THEMES:
        command = [sys.executable, "-m", "tests.screenshots.take_screenshots", str(out), theme]
        subprocess.run(command, check=True)
    print(f"screenshots in {out}")


def one_theme(out: Path, theme: str) -> None:
    home = Path(tempfile.mkdtemp(prefix="hearth-shots-"))
    os.environ["HEARTH_HOME"] = str(home)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.catalog.library import ModelLibrary
    from app.runtime import Runtime
    from app.ui.chat_session import ChatSession
    from app.ui.main_window import MainWindow
    from app.ui.theme import apply_theme
    from tests.support.tiny_gguf import write_scripted_model

    app = QApplication(sys.argv[:1])
    apply_theme(app, theme)
    runtime = Runtime.start()
    model = write_scripted_model(home / "scripted.gguf", reply="Hello! How can I help today?")
    ModelLibrary(runtime.models_dir).import_file(model)
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        window = MainWindow(runtime, history, session)
        window.resize(1200, 780)
        window.show()
        conversations = _conversations(history, home)
        window.sidebar.refresh()
        window.model_picker.refresh("scripted")
        folder = out / theme
        folder.mkdir(parents=True, exist_ok=True)
        _states(app, window, runtime, history, home, conversations, folder)
        window.close()
        session.shutdown()


def _conversations(history: Any, home: Path) -> dict[str, int]:
    """The conversations the states show (made once, shown in both themes)."""
    long_one = history.create_conversation(title="Sourdough, step by step")
    for turn in range(1, 9):
        history.add_message(long_one, "user", f"And what comes after step {turn}?")
        history.add_message(
            long_one, "assistant", f"Step {turn + 1}: fold the dough, then let it rest "
            "for thirty minutes. Keep it covered so the surface does not dry out.", **FACTS
        )  # fmt: skip
    stopped = history.create_conversation(title="A reply stopped part-way")
    history.add_message(stopped, "user", "Tell me about lighthouses.")
    history.add_message(
        stopped, "assistant", "Lighthouses guided ships for centuries; the", status="stopped"
    )
    other = history.create_conversation()
    history.add_message(other, "user", "What do otters eat?")
    history.add_message(other, "assistant", "Mostly fish, crabs and sea urchins.", **FACTS)
    trip = history.create_conversation(model="scripted")
    ask = history.add_message(trip, "user", "Plan a two-day trip to Portugal, please.")
    history.add_message(trip, "assistant", "Day one: Lisbon. Day two: Sintra.", **FACTS)
    history.add_message(trip, "assistant", SAMPLE_REPLY, parent_id=ask, **FACTS)
    return {"trip": trip, "long": long_one, "stopped": stopped}


def _states(
    app: Any,
    window: Any,
    runtime: Any,
    history: Any,
    home: Path,
    conversations: dict[str, int],
    out: Path,
) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from app.ui.onboarding_dialog import OnboardingDialog
    from app.ui.settings_dialog import SettingsDialog
    from tests.ui.transcript_helpers import hover_message

    welcome = OnboardingDialog(runtime.models_dir, runtime.settings, window)
    welcome.show()
    _save(app, welcome, out / "01-first-run-welcome.png")
    welcome.shutdown()
    welcome.close()
    window.new_conversation()
    _save(app, window, out / "02-empty-conversation.png")
    window.open_conversation(conversations["trip"])
    _wait(app, 300)
    reply = window.shown_messages()[-1]
    hover_message(window.transcript, reply.id)  # its buttons, as the pointer shows them
    _save(app, window, out / "03-conversation.png", wait=False)
    QApplication.sendEvent(window.transcript.viewport(), QEvent(QEvent.Type.Leave))
    window.open_conversation(conversations["long"])
    _wait(app, 300)
    bar = window.transcript.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    _save(app, window, out / "04-scrolled-up-jump-to-latest.png")
    window.sidebar.focus_search()
    window.sidebar.search_field.setText("otters")
    _wait(app, 400)
    _save(app, window, out / "05-search.png")
    window.sidebar.search_field.clear()
    window.open_conversation(conversations["stopped"])
    _save(app, window, out / "06-stopped-reply-with-continue.png")
    window.error_bar.show_error(
        "The model engine stopped unexpectedly (killed by SIGKILL). Nothing you wrote is "
        "lost; reload the model to continue.",
        offer_reload=True,
    )
    _save(app, window, out / "07-engine-crashed.png")
    window.error_bar.hide()
    document = home / "quarterly-report.txt"
    document.write_text("Revenue grew.\n\nCosts fell.", encoding="utf-8")
    window.summarize_panel.add_files([document, home / "minutes.pdf"])
    _save(app, window, out / "08-summarize-panel.png")
    window.summarize_panel.hide()
    window.error_bar.hide()
    window.status.show_state("loading")
    window.status.show_load_progress(0.42)
    _save(app, window, out / "09-model-loading.png")
    window.status.show_state("ready")
    dialog = SettingsDialog.for_runtime(runtime, window)
    dialog.show()
    _save(app, dialog, out / "10-settings.png")
    dialog.close()
    window.open_model_manager()
    manager = window.dialogs.model_manager
    assert manager is not None
    _save(app, manager, out / "11-model-manager.png")
    manager.tabs.setCurrentIndex(1)
    _save(app, manager, out / "12-installed-models.png")
    manager.tabs.setCurrentIndex(0)
    manager.close()
    _email_panel(app, window, history, home, out / "13-email-panel.png")


def _email_panel(app: object, window: Any, history: Any, home: Path, path: Path) -> None:
    """A reply drafted in two versions (the second shown), its e-mail in the panel."""
    from email.message import EmailMessage

    from app.store import ConversationKind

    mail = EmailMessage()
    mail["From"] = "Ada Lovelace <ada@example.org>"
    mail["Subject"] = "Lunch on Friday?"
    mail["Message-ID"] = "<lunch@example.org>"
    mail.set_content("Shall we have lunch on Friday? The new place on Elm Street.\n\nAda\n")
    eml = home / "lunch.eml"
    eml.write_bytes(mail.as_bytes())
    title = "Reply: Lunch on Friday?"
    made = [c.id for c in history.list_conversations() if c.title == title]
    cid = made[0] if made else history.create_conversation(title=title, kind=ConversationKind.EMAIL)
    if not made:  # the first theme's pass makes it; the second shows it again
        ask = history.add_message(
            cid, "user", "Reply to Ada Lovelace's e-mail “Lunch on Friday?” (friendly, short)."
            "\n\nYes; 12:30 suits me."
        )  # fmt: skip
        for version in SAMPLE_DRAFTS:
            history.add_message(cid, "assistant", version, parent_id=ask, **FACTS)
    window.sidebar.refresh()
    window.open_conversation(cid)
    window.emails.open_email(eml)
    window.email_panel.reply_points.setPlainText("Yes; 12:30 suits me.")
    window.email_panel.sign_off.setText("Sam")
    window.error_bar.hide()  # left over from the summaries shown before
    window.email_panel.draft_actions.show_note(
        "Ready: “Re: Lunch on Friday?”. ‹ › over the draft browse its versions; rework it or "
        "hand it off here."
    )
    _save(app, window, path)
    window.email_panel.hide()


def _wait(app: object, ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _save(app: object, window: object, path: Path, *, wait: bool = True) -> None:
    if wait:
        _wait(app, 300)
    window.grab().save(str(path))  # type: ignore[attr-defined]


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    if len(sys.argv) > 2:
        one_theme(folder, sys.argv[2])
    else:
        main(folder)
