"""Save as template…: the user names an instruction to rework drafts with, for next time.

The dialog only asks. OK does not close it: the prompt library checks the name (not too
close to one that exists) and writes the file; then the dialog closes (`saved()`) or says
what is wrong and stays open with what was typed (`refused()`).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from app.ui.dialog_parts import ok_cancel_buttons, problems_label
from app.ui.dialog_sizes import set_dialog_sizes

MINIMUM_SIZE = QSize(380, 240)
DEFAULT_SIZE = QSize(480, 320)
WHERE_THEY_GO = "Your templates appear under “Your templates” in the e-mail panel."


class RefinementDialog(QDialog):
    """Name and instruction of a new template.

    Signals:
        template_named(str, str): OK with both filled in: the name, the instruction; answer
            with `saved()` or `refused(message)`.
    """

    template_named = Signal(str, str)

    def __init__(self, instruction: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as template")
        self.name = QLineEdit()
        self.name.setAccessibleName("Template name")
        self.name.setPlaceholderText("e.g. Rewrite as a tweet")
        self.instruction = QPlainTextEdit(instruction)
        self.instruction.setAccessibleName("Template instruction")
        self.instruction.setPlaceholderText("What the model should do to the draft")
        self.instruction.setTabChangesFocus(True)
        self.problems = problems_label()
        buttons, self.ok_button, _cancel = ok_cancel_buttons(self, "Save the template")
        where = QLabel(WHERE_THEY_GO)
        where.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(where)
        form.addRow("&Name:", self.name)
        form.addRow("&Instruction:", self.instruction)
        form.addRow(self.problems)
        form.addRow(buttons)
        set_dialog_sizes(self, MINIMUM_SIZE, DEFAULT_SIZE)
        self.name.setFocus()

    def accept(self) -> None:
        name, instruction = self.name.text().strip(), self.instruction.toPlainText().strip()
        asked = (("a name", name), ("an instruction", instruction))
        missing = [what for what, text in asked if not text]
        if missing:
            self.refused(f"The template needs {' and '.join(missing)}.")
            return
        self.template_named.emit(name, instruction)

    def saved(self) -> None:
        super().accept()

    def refused(self, message: str) -> None:
        self.problems.setText(message)
        self.problems.show()
