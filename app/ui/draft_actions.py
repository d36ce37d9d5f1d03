"""What can be done with the draft on screen: rework it into a new version, or hand it off.

Rework: one button per shipped refinement ("Shorter", "Translate…" asks the language), the
user's own templates in a menu, and a free instruction; "Save as template…" keeps an
instruction under a name. Hand-off: Copy, Open in mail app, Save as .eml…. A line below says
what happened ("Copied", "Saved as …"). The widget only asks and tells: EmailFlow acts.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.tasks.prompt_library import Refinement
from app.ui.metrics import GAP_LARGE
from app.ui.refinement_dialog import RefinementDialog
from app.ui.summarize_panel import LANGUAGES

FREE_KEY = "custom"  # a free instruction, typed for this draft only


def needs_language(refinement: Refinement) -> bool:
    """Whether the refinement has a {language} blank (translate) to ask for."""
    return "language" in refinement.fields


class DraftActions(QWidget):
    """See the module docstring.

    Signals:
        refine_requested(object, str): the Refinement and the language it needs ("" if none).
        template_requested(str, str): save the user's own refinement: name, instruction.
        copy_requested(), open_requested(), save_requested(): hand the shown draft off.
        problem_found(str): what is missing before the draft can be reworked (error bar).
    """

    refine_requested = Signal(object, str)
    template_requested = Signal(str, str)
    copy_requested = Signal()
    open_requested = Signal()
    save_requested = Signal()
    problem_found = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Rework or hand off the draft")
        self.refine_buttons: dict[str, QPushButton] = {}
        self.templates_menu = QMenu("Your templates", self)
        self.templates_button = QPushButton("&Your templates")
        self.templates_button.setAccessibleName("Rework the draft with one of your templates")
        self.templates_button.setMenu(self.templates_menu)
        self.instruction = QLineEdit()
        self.instruction.setAccessibleName("How to rework the draft")
        self.instruction.setPlaceholderText("Or say how to rework it, e.g. add a P.S. about…")
        self.rework_button = QPushButton("&Rework")
        self.rework_button.setAccessibleName("Rework the draft as the instruction says")
        self.save_template_button = QPushButton("Save as te&mplate…")
        self.save_template_button.setAccessibleName("Save the instruction as a template")
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setAccessibleName("Copy the subject and body of the draft")
        self.open_button = QPushButton("Open in mail &app")
        self.open_button.setAccessibleName("Open the draft in your mail app")
        self.save_button = QPushButton("&Save as .eml…")
        self.save_button.setAccessibleName("Save the draft as an e-mail file")
        self.note = QLabel()
        self.note.setAccessibleName("What happened to the draft")
        self.note.setWordWrap(True)
        self.language_dialog: QInputDialog | None = None
        self.template_dialog: RefinementDialog | None = None
        self._pending: Refinement | None = None  # waits for its language
        self._running = False
        self._draft_shown = False
        self._refine_row = QHBoxLayout()
        self._lay_out()
        self.instruction.returnPressed.connect(self._rework_as_typed)
        self.rework_button.clicked.connect(self._rework_as_typed)
        self.save_template_button.clicked.connect(self.ask_template)
        self.copy_button.clicked.connect(self.copy_requested)
        self.open_button.clicked.connect(self.open_requested)
        self.save_button.clicked.connect(self.save_requested)

    def _lay_out(self) -> None:
        self._refine_row.addWidget(QLabel("Rework:"))
        self._refine_row.addStretch(1)
        self._refine_row.addWidget(self.templates_button)
        second = QHBoxLayout()
        second.addWidget(self.instruction, 1)
        for button in (self.rework_button, self.save_template_button):
            second.addWidget(button)
        second.addSpacing(GAP_LARGE)
        for button in (self.copy_button, self.open_button, self.save_button):
            second.addWidget(button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._refine_row)
        column.addLayout(second)
        column.addWidget(self.note)

    # --- the ways to rework --------------------------------------------------------------

    def show_refinements(self, refinements: list[Refinement]) -> None:
        """A button for each shipped refinement (in the library's order), the user's own
        in the templates menu."""
        for button in self.refine_buttons.values():
            button.deleteLater()
        self.refine_buttons = {}
        self.templates_menu.clear()
        at = 1  # after the "Rework:" label
        for refinement in refinements:
            if refinement.user_made:
                action = self.templates_menu.addAction(refinement.name)
                action.setToolTip(refinement.instruction)
                action.triggered.connect(lambda _=False, r=refinement: self.choose(r))
                continue
            label = refinement.name + ("…" if needs_language(refinement) else "")
            button = QPushButton(label)
            button.setAccessibleName(f"Rework the draft: {refinement.name}")
            button.setToolTip(refinement.instruction.strip())
            button.clicked.connect(lambda _=False, r=refinement: self.choose(r))
            self._refine_row.insertWidget(at, button)
            self.refine_buttons[refinement.key] = button
            at += 1
        self.templates_button.setToolTip(
            "" if not self.templates_menu.isEmpty() else "Save an instruction as a template first"
        )
        self._enable()

    def choose(self, refinement: Refinement) -> None:
        """Rework with `refinement`; a translation first asks into which language."""
        if not needs_language(refinement):
            self.refine_requested.emit(refinement, "")
            return
        self._pending = refinement
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Translate the draft")
        dialog.setLabelText("Into which language?")
        dialog.setComboBoxItems(list(LANGUAGES))
        dialog.setComboBoxEditable(True)
        dialog.textValueSelected.connect(self._translate_into)
        dialog.finished.connect(dialog.deleteLater)
        self.language_dialog = dialog
        dialog.open()

    def _translate_into(self, language: str) -> None:
        refinement, self._pending = self._pending, None
        if refinement is not None and language.strip():
            self.refine_requested.emit(refinement, language.strip())

    def _rework_as_typed(self) -> None:
        if not self.usable:  # Enter in the field while there is nothing to rework
            return
        typed = self.instruction.text().strip()
        if not typed:
            self.problem_found.emit(
                "Write how to rework the draft first, e.g. “mention the invoice”."
            )
            self.instruction.setFocus()
            return
        try:
            refinement = Refinement(FREE_KEY, typed, typed, True)
        except ValueError as error:  # braces: a blank nobody would fill
            self.problem_found.emit(f"This instruction cannot be used: {error}.")
            return
        self.refine_requested.emit(refinement, "")

    def ask_template(self) -> None:
        """Save as template…: a name and the instruction (the typed one to start with)."""
        dialog = RefinementDialog(self.instruction.text().strip(), self)
        dialog.template_named.connect(self.template_requested)
        dialog.finished.connect(dialog.deleteLater)
        self.template_dialog = dialog
        dialog.open()

    def template_saved(self, refinements: list[Refinement], saved: Refinement) -> None:
        """The template was saved: the dialog closes and the template is in the menu."""
        if self.template_dialog is not None:
            self.template_dialog.saved()
            self.template_dialog = None
        self.show_refinements(refinements)
        self.show_note(f"Saved “{saved.name}”: it is under Your templates.")

    def template_refused(self, message: str) -> None:
        """The name or instruction cannot be used: the dialog says why and stays open."""
        if self.template_dialog is not None:
            self.template_dialog.refused(message)

    # --- states --------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        """Nothing can be reworked or handed off while a version is being written."""
        self._running = running
        self._enable()

    def set_draft_shown(self, shown: bool) -> None:
        """Whether the transcript shows an e-mail draft to rework or hand off."""
        self._draft_shown = shown
        self._enable()

    @property
    def usable(self) -> bool:
        return self._draft_shown and not self._running

    def _enable(self) -> None:
        for widget in (
            *self.refine_buttons.values(),
            self.rework_button,
            self.copy_button,
            self.open_button,
            self.save_button,
        ):
            widget.setEnabled(self.usable)
        self.templates_button.setEnabled(self.usable and not self.templates_menu.isEmpty())

    def show_note(self, text: str) -> None:
        self.note.setText(text)
