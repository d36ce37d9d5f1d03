"""The sampling fields on their own: values in and out, limits, rows above, Tab order."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.presets import sampling_problems
from app.settings import Sampling
from app.ui.sampling_fields import SamplingFields


def fields_with(qtbot: QtBot) -> SamplingFields:
    fields = SamplingFields()
    qtbot.addWidget(fields)
    fields.show()
    qtbot.waitExposed(fields)
    return fields


@pytest.mark.parametrize(
    "sampling",
    [Sampling(), Sampling(0.0, 1.0, 1), Sampling(1.25, 0.5, 32768), Sampling(2, 0.01, 7)],
)
def test_values_shown_are_the_values_read(qtbot: QtBot, sampling: Sampling) -> None:
    fields = fields_with(qtbot)
    fields.show_sampling(sampling)
    assert fields.edited_sampling() == sampling


def test_typed_values_are_read_with_two_decimals(qtbot: QtBot) -> None:
    fields = fields_with(qtbot)
    typed = [(fields.temperature, "0.35"), (fields.top_p, "0.8"), (fields.max_tokens, "512")]
    for box, text in typed:
        box.setFocus()
        box.selectAll()
        qtbot.keyClicks(box, text)
    assert fields.edited_sampling() == Sampling(0.35, 0.8, 512)
    fields.temperature.setValue(0.123456)
    assert fields.edited_sampling().temperature == 0.12


def test_out_of_range_values_stop_at_the_field_limits(qtbot: QtBot) -> None:
    fields = fields_with(qtbot)
    fields.show_sampling(Sampling(99.0, 7.0, 5_000_000))
    assert fields.edited_sampling() == Sampling(5.0, 1.0, 1_000_000)
    fields.show_sampling(Sampling(-1.0, -1.0, -5))
    assert fields.edited_sampling() == Sampling(0.0, 0.0, 0)


def test_the_fields_take_a_little_more_than_is_valid_so_it_can_be_explained(
    qtbot: QtBot,
) -> None:
    fields = fields_with(qtbot)
    fields.show_sampling(Sampling(3.0, 0.0, 0))  # each one wrong, and each one kept as typed
    assert fields.edited_sampling() == Sampling(3.0, 0.0, 0)
    assert len(sampling_problems(fields.edited_sampling())) == 3


def labels(fields: SamplingFields) -> list[str]:
    form = fields.layout()
    assert isinstance(form, QFormLayout)
    found = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = None if item is None else item.widget()
        found.append(widget.text() if isinstance(widget, QLabel) else "")
    return found


def test_rows_above_share_the_form_and_tab_goes_down_it(qtbot: QtBot) -> None:
    """In a dialog, as the dialogs use it: its rows, the sampling rows, then OK."""
    first, second = QLineEdit(), QLineEdit()
    rows: list[tuple[str, QWidget]] = [("&First:", first), ("", second)]
    fields = SamplingFields(rows_above=rows, temperature_label="T&emp:")
    dialog = QWidget()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    layout.addWidget(fields)
    ok = QPushButton("OK")
    layout.addWidget(ok)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert labels(fields) == ["&First:", "", "T&emp:", "Top-&p:", "&Max tokens:"]
    order: list[QWidget] = [first, second, fields.temperature, fields.top_p, fields.max_tokens, ok]
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    for widget in order[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert widget.hasFocus(), widget.accessibleName() or widget.metaObject().className()
