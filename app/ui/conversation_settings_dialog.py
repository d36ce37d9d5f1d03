"""One conversation's system prompt and sampling, with presets to fill them in one step.

Choosing a preset only fills the fields; nothing is written until OK, which saves the
fields to the History. "Save as preset…" keeps the fields under a name for later.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QInputDialog,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import HearthError
from app.presets import (
    Preset,
    delete_user_preset,
    find_preset,
    load_presets,
    sampling_problems,
    save_user_preset,
)
from app.settings import Sampling
from app.store import History
from app.ui.dialog_parts import ok_cancel_buttons, problems_label
from app.ui.dialog_sizes import set_dialog_sizes
from app.ui.sampling_fields import SamplingFields

NO_PRESET = "Choose a preset…"
MINIMUM_SIZE = QSize(420, 360)
DEFAULT_SIZE = QSize(540, 460)
PROMPT_HEIGHT = 110  # a few lines of system prompt; it grows with the dialog


def ask_preset_name(parent: QWidget) -> str | None:
    """Ask the user for a preset name; None when they cancel."""
    name, ok = QInputDialog.getText(parent, "Save as preset", "Name of the new preset:")
    return name if ok else None


def conversation_sampling(saved: dict[str, object], defaults: Sampling) -> Sampling:
    """A conversation's sampling: what it saved, else the defaults (as the chat turn does)."""
    values = dataclasses.asdict(defaults)
    for key in values:
        value = saved.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            values[key] = value
    return Sampling(float(values["temperature"]), float(values["top_p"]), int(values["max_tokens"]))


class ConversationSettingsDialog(QDialog):
    """Edit one conversation's system prompt and sampling; OK writes them to the History.

    Signals:
        conversation_settings_saved(int): the id of the conversation whose settings were saved.
        preset_saved(str): the name of a user preset that was saved.
    """

    conversation_settings_saved = Signal(int)
    preset_saved = Signal(str)

    def __init__(
        self,
        history: History,
        conversation_id: int,
        presets_path: Path,
        *,
        defaults: Sampling | None = None,
        parent: QWidget | None = None,
        name_asker: Callable[[QWidget], str | None] = ask_preset_name,
    ) -> None:
        super().__init__(parent)
        self._history = history
        self._cid = conversation_id
        self._presets_path = presets_path
        self._ask_name = name_asker
        self._presets: list[Preset] = []
        conversation = history.get_conversation(conversation_id)
        self.setWindowTitle(f"Conversation settings — {conversation.title or 'Untitled'}")
        self.setAccessibleName("Conversation settings")
        self._build()
        self._lay_out()
        self.reload_presets()
        self.system_prompt.setPlainText(conversation.system_prompt or "")
        self.show_sampling(conversation_sampling(conversation.sampling, defaults or Sampling()))

    def _build(self) -> None:
        self.preset = QComboBox()
        self.preset.setAccessibleName("Preset")
        self.preset.activated.connect(self._on_preset_chosen)
        self.save_preset_button = QPushButton("Save as preset…")
        self.save_preset_button.setAccessibleName("Save these settings as a preset")
        self.save_preset_button.clicked.connect(self._on_save_preset_clicked)
        self.delete_preset_button = QPushButton("Delete preset")
        self.delete_preset_button.setAccessibleName("Delete the chosen preset")
        self.delete_preset_button.clicked.connect(self._on_delete_preset_clicked)
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setAccessibleName("System prompt")
        self.system_prompt.setPlaceholderText("None: the model's own behaviour")
        self.system_prompt.setTabChangesFocus(True)
        self.system_prompt.setMinimumHeight(PROMPT_HEIGHT)
        self.sampling = SamplingFields(
            rows_above=[
                ("&Preset:", self.preset),
                ("", self.save_preset_button),
                ("", self.delete_preset_button),
                ("&System prompt:", self.system_prompt),
            ]
        )
        self.temperature = self.sampling.temperature
        self.top_p = self.sampling.top_p
        self.max_tokens = self.sampling.max_tokens
        self.error_label = problems_label()
        self.buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, "Save conversation settings"
        )

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.sampling, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE)

    # -- presets -------------------------------------------------------------------------

    def reload_presets(self, select: str | None = None) -> None:
        """Re-read the presets file; select `select` if given, else "Choose a preset…"."""
        self._presets = load_presets(self._presets_path)
        self.preset.clear()
        self.preset.addItem(NO_PRESET, None)
        for preset in self._presets:
            label = preset.name if preset.builtin else f"{preset.name} (yours)"
            self.preset.addItem(label, preset.name)
        index = self.preset.findData(select) if select is not None else 0
        self.preset.setCurrentIndex(max(0, index))
        self._update_delete_button()

    def choose_preset(self, name: str) -> None:
        """Select preset `name` and fill the fields from it."""
        index = self.preset.findData(name)
        if index < 0:
            raise KeyError(name)
        self.preset.setCurrentIndex(index)
        self._on_preset_chosen(index)

    def _chosen_preset(self) -> Preset | None:
        name = self.preset.currentData()
        return find_preset(self._presets, name) if isinstance(name, str) else None

    def _on_preset_chosen(self, _index: int) -> None:
        preset = self._chosen_preset()
        self._update_delete_button()
        if preset is None:
            return
        self.system_prompt.setPlainText(preset.system_prompt)
        self.show_sampling(preset.sampling)
        self.show_problems([])

    def _update_delete_button(self) -> None:
        preset = self._chosen_preset()
        self.delete_preset_button.setEnabled(preset is not None and not preset.builtin)

    def _on_save_preset_clicked(self) -> None:
        name = self._ask_name(self)
        if name is not None:
            self.save_as_preset(name)

    def save_as_preset(self, name: str) -> bool:
        """Keep the fields as user preset `name`; False (and a message) if refused."""
        preset = Preset(name, self.system_prompt.toPlainText(), self.edited_sampling())
        try:
            saved = save_user_preset(self._presets_path, preset)
        except (HearthError, OSError) as exc:
            self.show_problems([f"The preset was not saved. {exc}"])
            return False
        self.show_problems([])
        self.reload_presets(select=saved.name)
        self.preset_saved.emit(saved.name)
        return True

    def _on_delete_preset_clicked(self) -> None:
        preset = self._chosen_preset()
        if preset is None or preset.builtin:
            return
        try:
            delete_user_preset(self._presets_path, preset.name)
        except (HearthError, OSError) as exc:
            self.show_problems([f"The preset was not deleted. {exc}"])
            return
        self.reload_presets()

    # -- values --------------------------------------------------------------------------

    def show_sampling(self, sampling: Sampling) -> None:
        self.sampling.show_sampling(sampling)

    def edited_sampling(self) -> Sampling:
        return self.sampling.edited_sampling()

    def show_problems(self, problems: list[str]) -> None:
        self.error_label.setText("\n".join(problems))
        self.error_label.setVisible(bool(problems))

    def accept(self) -> None:
        sampling = self.edited_sampling()
        problems = sampling_problems(sampling)
        prompt = self.system_prompt.toPlainText()
        if not problems:
            try:
                self._history.update_conversation(
                    self._cid,
                    system_prompt=prompt if prompt.strip() else None,
                    sampling=dataclasses.asdict(sampling),
                )
            except HearthError as exc:
                problems = [str(exc)]
        if problems:
            self.show_problems(problems)
            return
        self.conversation_settings_saved.emit(self._cid)
        super().accept()
