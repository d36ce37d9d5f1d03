"""The sampling fields (temperature, top-p, max tokens) shared by the settings dialogs.

Settings (the defaults for new conversations) and Conversation settings (one conversation)
edit the same `Sampling`, so they show the same fields with the same limits. The spin boxes
accept a little more than is valid (temperature up to 5, max tokens down to 0) so that a
mistyped value is explained by `sampling_problems` when OK is pressed instead of being
silently clamped.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFormLayout, QWidget

from app.settings import Sampling
from app.ui.dialog_parts import float_spin_box, int_spin_box

# What the spin boxes take: wider than what is valid (app.presets' *_RANGE), on purpose.
TEMPERATURE_FIELD_RANGE = (0.0, 5.0)
TOP_P_FIELD_RANGE = (0.0, 1.0)
MAX_TOKENS_FIELD_RANGE = (0, 1_000_000)


class SamplingFields(QWidget):
    """Temperature, top-p and max tokens as a labelled form, read and shown as a `Sampling`.

    A dialog passes its own rows to go above the sampling ones (`rows_above`: label and
    field), so that all its labels line up in one form and Tab goes down it in order.
    `temperature_label` lets it pick the label's shortcut letter when T is taken.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        rows_above: Sequence[tuple[str, QWidget]] = (),
        temperature_label: str = "&Temperature:",
    ) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for label, field in rows_above:  # first: Tab follows the order widgets arrive in
            form.addRow(label, field)
        self.temperature = float_spin_box(*TEMPERATURE_FIELD_RANGE, 0.05, "Temperature")
        self.top_p = float_spin_box(*TOP_P_FIELD_RANGE, 0.01, "Top-p")
        self.max_tokens = int_spin_box(*MAX_TOKENS_FIELD_RANGE, "Max tokens")
        form.addRow(temperature_label, self.temperature)
        form.addRow("Top-&p:", self.top_p)
        form.addRow("&Max tokens:", self.max_tokens)

    def show_sampling(self, sampling: Sampling) -> None:
        self.temperature.setValue(sampling.temperature)
        self.top_p.setValue(sampling.top_p)
        self.max_tokens.setValue(sampling.max_tokens)

    def edited_sampling(self) -> Sampling:
        """The values as shown (rounded as displayed; not checked: see `sampling_problems`)."""
        return Sampling(
            temperature=round(self.temperature.value(), 2),
            top_p=round(self.top_p.value(), 2),
            max_tokens=self.max_tokens.value(),
        )
