"""The status line says each thing once: no "No model" beside "No model loaded"."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.engine.protocol import ModelInfo
from app.ui.status_panel import StatusPanel


def shown_texts(panel: StatusPanel) -> list[str]:
    labels = (panel.model_label, panel.state_label, panel.speed_label, panel.notice_label)
    return [label.text() for label in labels if label.isVisibleTo(panel) and label.text()]


def test_without_a_model_the_state_alone_says_so_and_what_to_do(qtbot: QtBot) -> None:
    panel = StatusPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_state("idle")
    assert shown_texts(panel) == ["No model loaded: choose one to start"]
    assert not panel.context_meter.isVisibleTo(panel)


def test_with_a_model_its_name_and_state_show(qtbot: QtBot, scripted_model: Path) -> None:
    panel = StatusPanel()
    qtbot.addWidget(panel)
    panel.show()
    info = ModelInfo(
        path=scripted_model,
        name="Scripted Tiny",
        architecture="llama",
        n_ctx=2048,
        n_ctx_train=2048,
        n_vocab=300,
        n_params=1000,
        file_size=scripted_model.stat().st_size,
        has_chat_template=True,
        load_ms=1.0,
    )
    panel.show_model(info)
    panel.show_state("ready")
    assert shown_texts(panel) == ["Scripted Tiny", "Ready"]
    assert panel.context_meter.isVisibleTo(panel)
    panel.show_model(None)
    panel.show_state("idle")
    assert shown_texts(panel) == ["No model loaded: choose one to start"]
