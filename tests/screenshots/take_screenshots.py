"""Save PNG screenshots of the window's main states, for review. Not run by CI.

Run:  .venv/bin/python -m tests.screenshots.take_screenshots OUT_DIR
Under Xvfb for a real window: xvfb-run -a .venv/bin/python -m tests.screenshots...
(with no display it falls back to Qt's offscreen platform, which renders the same widgets).
Models are generated and the history lives in a temporary HEARTH_HOME.
"""

from __future__ import annotations

import os
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


def main(out: Path) -> None:
    home = Path(tempfile.mkdtemp(prefix="hearth-shots-"))
    os.environ["HEARTH_HOME"] = str(home)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.catalog.library import ModelLibrary
    from app.runtime import Runtime
    from app.ui.chat_session import ChatSession
    from app.ui.main_window import MainWindow
    from tests.support.tiny_gguf import write_scripted_model

    app = QApplication(sys.argv)
    runtime = Runtime.start()
    model = write_scripted_model(home / "scripted.gguf", reply="Hello! How can I help today?")
    ModelLibrary(runtime.models_dir).import_file(model)
    out.mkdir(parents=True, exist_ok=True)
    with runtime.open_history() as history:
        session = ChatSession(runtime.new_engine(), runtime.paths.database)
        window = MainWindow(runtime, history, session)
        window.resize(1200, 780)
        window.show()
        _save(app, window, out / "01-empty.png")
        cid = history.create_conversation(model="scripted")
        history.add_message(cid, "user", "Plan a two-day trip to Portugal, please.")
        history.add_message(cid, "assistant", SAMPLE_REPLY)
        other = history.create_conversation()
        history.add_message(other, "user", "What do otters eat?")
        history.add_message(other, "assistant", "Mostly fish, crabs and sea urchins.")
        window.sidebar.refresh()
        window.model_picker.refresh("scripted")
        window.open_conversation(cid)
        _save(app, window, out / "02-conversation.png")
        window.sidebar.focus_search()
        window.sidebar.search_field.setText("otters")
        _wait(app, 400)
        _save(app, window, out / "03-search.png")
        window.error_bar.show_error(
            "The model engine stopped unexpectedly (killed by SIGKILL). Nothing you wrote is "
            "lost; reload the model to continue.",
            offer_reload=True,
        )
        _save(app, window, out / "04-engine-crashed.png")
        window.error_bar.hide()
        window.sidebar.search_field.clear()
        stopped = history.create_conversation(title="A reply stopped part-way")
        history.add_message(stopped, "user", "Tell me about lighthouses.")
        history.add_message(
            stopped, "assistant", "Lighthouses guided ships for centuries; the", status="stopped"
        )
        window.sidebar.refresh()
        window.open_conversation(stopped)
        _save(app, window, out / "05-stopped-reply-with-continue.png")
        document = home / "quarterly-report.txt"
        document.write_text("Revenue grew.\n\nCosts fell.", encoding="utf-8")
        window.summarize_panel.add_files([document, home / "minutes.pdf"])
        _save(app, window, out / "06-summarize-panel.png")
        window.summarize_panel.hide()
        window.status.show_state("loading")
        window.status.show_load_progress(0.42)
        _save(app, window, out / "07-model-loading.png")
        window.status.show_state("ready")
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog.for_runtime(runtime, window)
        dialog.show()
        _save(app, dialog, out / "08-settings.png")
        dialog.close()
        window.open_model_manager()
        assert window.dialogs.model_manager is not None
        _save(app, window.dialogs.model_manager, out / "09-model-manager.png")
        window.dialogs.model_manager.close()
        _email_panel(app, window, history, home, out / "11-email-panel.png")
        from app.ui.onboarding_dialog import OnboardingDialog

        welcome = OnboardingDialog(runtime.models_dir, runtime.settings, window)
        welcome.show()
        _save(app, welcome, out / "12-first-run-welcome.png")
        welcome.shutdown()
        welcome.close()
        from app.ui.theme import apply_theme

        apply_theme(app, "dark")  # type: ignore[arg-type]
        window.open_conversation(cid)
        _save(app, window, out / "10-conversation-dark.png")
        window.new_conversation()
        _save(app, window, out / "13-empty-conversation-dark.png")
        window.close()
        session.shutdown()
    print(f"screenshots in {out}")


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
    cid = history.create_conversation(title="Reply: Lunch on Friday?", kind=ConversationKind.EMAIL)
    ask = history.add_message(
        cid, "user", "Reply to Ada Lovelace's e-mail “Lunch on Friday?” (friendly, short).\n\n"
        "Yes; 12:30 suits me."
    )  # fmt: skip
    for version in SAMPLE_DRAFTS:
        history.add_message(cid, "assistant", version, parent_id=ask)
    window.sidebar.refresh()
    window.open_conversation(cid)
    window.emails.open_email(eml)
    window.email_panel.reply_points.setPlainText("Yes; 12:30 suits me.")
    window.email_panel.sign_off.setText("Sam")
    window.error_bar.hide()  # left over from the summaries shown before
    window.email_panel.draft_actions.show_note(
        "Ready: “Re: Lunch on Friday?”. ‹ › under the draft browse its versions; rework it or "
        "hand it off here."
    )
    _save(app, window, path)
    window.email_panel.hide()


def _wait(app: object, ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _save(app: object, window: object, path: Path) -> None:
    _wait(app, 300)
    window.grab().save(str(path))  # type: ignore[attr-defined]


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
