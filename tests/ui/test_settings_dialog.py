"""The Settings and Conversation settings dialogs, and the theme, driven as a user would."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.engine.state_cache import DiskStates, saved_states_size
from app.engine.state_key import StateKey, model_identity
from app.presets import find_preset, load_presets
from app.settings import Sampling, Settings, load_settings, save_settings
from app.store import History
from app.ui.conversation_settings_dialog import ConversationSettingsDialog
from app.ui.settings_dialog import SettingsDialog
from app.ui.theme import apply_theme
from app.units import human_size

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "settings.json"
    save_settings(Settings(hub_token="secret-token"), path)
    return path


def make_settings_dialog(
    qtbot: QtBot, path: Path, opened: list[Path] | None = None
) -> SettingsDialog:
    dialog = SettingsDialog(
        load_settings(path),
        path,
        models_dir=path.parent / "models",
        data_dir=path.parent / "data",
        states_dir=path.parent / "states",
        folder_opener=(opened if opened is not None else []).append,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def type_into(qtbot: QtBot, widget: QAbstractSpinBox, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def click_check_box(qtbot: QtBot, box: QCheckBox) -> None:
    """Click the box itself (a form row stretches the widget well past its text)."""
    qtbot.mouseClick(box, LEFT, pos=QPoint(6, box.height() // 2))


def test_edited_settings_round_trip_through_the_file(qtbot: QtBot, settings_path: Path) -> None:
    dialog = make_settings_dialog(qtbot, settings_path)
    type_into(qtbot, dialog.threads, "6")
    type_into(qtbot, dialog.context_length, "8192")
    type_into(qtbot, dialog.gpu_layers, "20")
    dialog.kv_cache_type.setCurrentText("q8_0")
    dialog.system_prompt.selectAll()
    qtbot.keyClicks(dialog.system_prompt, "Be brief.")
    type_into(qtbot, dialog.temperature, "0.35")
    type_into(qtbot, dialog.top_p, "0.8")
    type_into(qtbot, dialog.max_tokens, "512")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    type_into(qtbot, dialog.max_document_mb, "120")
    type_into(qtbot, dialog.state_cache.limit, "500")
    click_check_box(qtbot, dialog.offline)

    with qtbot.waitSignal(dialog.settings_saved) as saved:
        qtbot.mouseClick(dialog.ok_button, LEFT)

    expected = Settings(
        threads=6,
        context_length=8192,
        gpu_layers=20,
        kv_cache_type="q8_0",
        default_system_prompt="Be brief.",
        sampling=Sampling(temperature=0.35, top_p=0.8, max_tokens=512),
        theme="dark",
        offline=True,
        hub_token="secret-token",  # not shown in the dialog, and kept
        max_document_mb=120,
        state_cache_mb=500,
    )
    assert saved.args == [expected]
    assert load_settings(settings_path) == expected
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_the_resume_cache_shows_its_size_and_clears(
    qtbot: QtBot, settings_path: Path, random_model: Path
) -> None:
    """Real state files, written by a real engine's store, measured and deleted."""
    folder = settings_path.parent / "states"
    store = DiskStates(folder, max_bytes=10**7)
    store.put(StateKey(model_identity(random_model), 512, "f16", (1, 2, 3)), b"x" * 300_000)
    dialog = make_settings_dialog(qtbot, settings_path)
    field = dialog.state_cache
    assert field.usage.text() == f"{human_size(saved_states_size(folder))} in use"
    assert saved_states_size(folder) > 300_000
    assert field.clear_button.isEnabled()

    qtbot.mouseClick(field.clear_button, LEFT)

    assert list(folder.glob("*")) == []
    assert field.usage.text() == f"{human_size(0)} in use"
    assert not field.clear_button.isEnabled()


def test_offline_checkbox_is_saved_and_explained(qtbot: QtBot, settings_path: Path) -> None:
    dialog = make_settings_dialog(qtbot, settings_path)
    assert "downloads and Hub search are disabled" in dialog.offline_explanation.text()
    click_check_box(qtbot, dialog.offline)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert load_settings(settings_path).offline is True

    again = make_settings_dialog(qtbot, settings_path)
    assert again.offline.isChecked()
    click_check_box(qtbot, again.offline)
    qtbot.mouseClick(again.ok_button, LEFT)
    assert load_settings(settings_path).offline is False


def test_the_local_api_is_off_until_switched_on_then_shows_its_address_and_key(
    qtbot: QtBot, settings_path: Path
) -> None:
    dialog = make_settings_dialog(qtbot, settings_path)
    fields = dialog.local_api
    dialog.page.ensureWidgetVisible(fields)
    assert not fields.enabled.isChecked()
    assert "Only programs on this computer that have the key" in fields.explanation.text()
    assert not fields.key.isVisible()
    key_file = settings_path.parent / "api-key"
    assert not key_file.exists()  # no key is made while the API is off
    click_check_box(qtbot, fields.enabled)
    assert fields.key.isVisible()
    assert fields.key.isReadOnly()
    assert fields.key.text() == key_file.read_text().strip()
    type_into(qtbot, fields.port, "9123")
    assert fields.address.text() == "http://127.0.0.1:9123/v1"
    qtbot.mouseClick(fields.copy_key_button, LEFT)
    assert QApplication.clipboard().text() == fields.key.text()
    qtbot.mouseClick(fields.copy_address_button, LEFT)
    assert QApplication.clipboard().text() == "http://127.0.0.1:9123/v1"
    click_check_box(qtbot, fields.store)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    saved = load_settings(settings_path)
    assert (saved.local_api, saved.local_api_port, saved.local_api_store) == (True, 9123, True)
    again = make_settings_dialog(qtbot, settings_path).local_api
    assert again.enabled.isChecked()
    assert again.store.isChecked()
    assert again.key.text() == key_file.read_text().strip()  # the same key, kept


def test_cancel_leaves_the_file_untouched(qtbot: QtBot, settings_path: Path) -> None:
    before = settings_path.read_bytes()
    given = load_settings(settings_path)
    dialog = SettingsDialog(
        given, settings_path, models_dir=Path("m"), data_dir=Path("d"), states_dir=Path("s")
    )
    qtbot.addWidget(dialog)
    dialog.show()
    saved: list[object] = []
    dialog.settings_saved.connect(saved.append)
    type_into(qtbot, dialog.context_length, "2048")
    click_check_box(qtbot, dialog.offline)
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert settings_path.read_bytes() == before
    assert saved == []
    assert given == load_settings(settings_path)  # the caller's copy was not edited either


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("context_length", "100", "Context length must be between 256 and 131072"),
        ("context_length", "200000", "Context length must be between 256 and 131072"),
        ("temperature", "3", "Temperature must be between 0 and 2"),
        ("max_tokens", "0", "Max tokens must be between 1 and"),
        ("max_document_mb", "0", "The document size limit must be between 1 and 2000 MB"),
    ],
)
def test_invalid_values_are_refused_with_a_message(
    qtbot: QtBot, settings_path: Path, field: str, text: str, message: str
) -> None:
    before = settings_path.read_bytes()
    dialog = make_settings_dialog(qtbot, settings_path)
    saved: list[object] = []
    dialog.settings_saved.connect(saved.append)
    type_into(qtbot, getattr(dialog, field), text)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert message in dialog.error_label.text()
    assert saved == []
    assert settings_path.read_bytes() == before

    type_into(qtbot, dialog.context_length, "4096")
    type_into(qtbot, dialog.temperature, "0.7")
    type_into(qtbot, dialog.max_tokens, "1024")
    type_into(qtbot, dialog.max_document_mb, "50")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert len(saved) == 1


def test_folders_are_shown_read_only_and_opened(qtbot: QtBot, settings_path: Path) -> None:
    opened: list[Path] = []
    dialog = make_settings_dialog(qtbot, settings_path, opened)
    assert dialog.models_dir_field.isReadOnly()
    assert dialog.data_dir_field.text() == str(settings_path.parent / "data")
    qtbot.mouseClick(dialog.open_models_button, LEFT)
    qtbot.mouseClick(dialog.open_data_button, LEFT)
    assert opened == [settings_path.parent / "models", settings_path.parent / "data"]


def test_automatic_threads_shows_the_core_count(qtbot: QtBot, settings_path: Path) -> None:
    dialog = make_settings_dialog(qtbot, settings_path)
    assert dialog.threads.value() == 0
    assert f"{os.cpu_count() or 1} cores" in dialog.threads.text()


def controls(dialog: QDialog) -> list[QWidget]:
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit)
    found = [w for w in dialog.findChildren(QWidget) if isinstance(w, kinds)]
    # A spin box's own line edit is announced through the spin box.
    return [w for w in found if not isinstance(w.parent(), QAbstractSpinBox | QComboBox)]


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, settings_path: Path, history: History, tmp_path: Path
) -> None:
    cid = history.create_conversation(title="Names")
    conversation = ConversationSettingsDialog(history, cid, tmp_path / "presets.json")
    qtbot.addWidget(conversation)
    for dialog in (make_settings_dialog(qtbot, settings_path), conversation):
        unnamed = [type(w).__name__ for w in controls(dialog) if not w.accessibleName()]
        assert unnamed == []


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    apply_theme(qapp, "system")


def test_theme_changes_the_palette(app_palette: QApplication) -> None:
    window = QPalette.ColorRole.Window
    system = app_palette.palette().color(window)
    apply_theme(app_palette, "dark")
    assert app_palette.palette().color(window).lightness() < 80
    assert app_palette.palette().color(QPalette.ColorRole.Text).lightness() > 180
    apply_theme(app_palette, "light")
    assert app_palette.palette().color(window).lightness() > 200
    apply_theme(app_palette, "system")
    assert app_palette.palette().color(window) == system


# -- the conversation settings dialog ------------------------------------------------------


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db") as opened:
        yield opened


def make_conversation_dialog(
    qtbot: QtBot, history: History, presets: Path, names: list[str] | None = None
) -> tuple[ConversationSettingsDialog, int]:
    cid = history.create_conversation(title="Plans", system_prompt="Old prompt")
    asked = iter(names or [])
    dialog = ConversationSettingsDialog(
        history,
        cid,
        presets,
        defaults=Sampling(0.6, 0.9, 300),
        name_asker=lambda _parent: next(asked, None),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, cid


def test_fields_start_from_the_conversation_then_the_defaults(
    qtbot: QtBot, history: History, tmp_path: Path
) -> None:
    dialog, _cid = make_conversation_dialog(qtbot, history, tmp_path / "presets.json")
    assert dialog.system_prompt.toPlainText() == "Old prompt"
    assert dialog.edited_sampling() == Sampling(0.6, 0.9, 300)


def test_choosing_a_preset_fills_the_fields(qtbot: QtBot, history: History, tmp_path: Path) -> None:
    dialog, _cid = make_conversation_dialog(qtbot, history, tmp_path / "presets.json")
    precise = find_preset(load_presets(tmp_path / "presets.json"), "Precise")
    assert precise is not None
    dialog.preset.setFocus()
    qtbot.keyClick(dialog.preset, Qt.Key.Key_Down)  # "Choose a preset…" -> "Balanced"
    qtbot.keyClick(dialog.preset, Qt.Key.Key_Down)  # -> "Precise"
    assert dialog.preset.currentText() == "Precise"
    assert dialog.system_prompt.toPlainText() == precise.system_prompt
    assert dialog.edited_sampling() == precise.sampling
    assert dialog.temperature.value() == pytest.approx(0.2)


def test_ok_writes_the_settings_to_the_history(
    qtbot: QtBot, history: History, tmp_path: Path
) -> None:
    dialog, cid = make_conversation_dialog(qtbot, history, tmp_path / "presets.json")
    dialog.choose_preset("Email drafting")
    type_into(qtbot, dialog.max_tokens, "640")
    with qtbot.waitSignal(dialog.conversation_settings_saved) as saved:
        qtbot.mouseClick(dialog.ok_button, LEFT)
    assert saved.args == [cid]
    conversation = history.get_conversation(cid)
    email = find_preset(load_presets(tmp_path / "presets.json"), "Email drafting")
    assert email is not None
    assert conversation.system_prompt == email.system_prompt
    assert conversation.sampling == {
        "temperature": email.sampling.temperature,
        "top_p": email.sampling.top_p,
        "max_tokens": 640,
    }


def test_blank_prompt_clears_it_and_bad_sampling_is_refused(
    qtbot: QtBot, history: History, tmp_path: Path
) -> None:
    dialog, cid = make_conversation_dialog(qtbot, history, tmp_path / "presets.json")
    dialog.system_prompt.clear()
    type_into(qtbot, dialog.top_p, "0")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.isVisible()
    assert "Top-p" in dialog.error_label.text()
    assert history.get_conversation(cid).system_prompt == "Old prompt"
    type_into(qtbot, dialog.top_p, "0.9")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert history.get_conversation(cid).system_prompt is None


def test_cancel_writes_nothing(qtbot: QtBot, history: History, tmp_path: Path) -> None:
    dialog, cid = make_conversation_dialog(qtbot, history, tmp_path / "presets.json")
    dialog.choose_preset("Creative")
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    conversation = history.get_conversation(cid)
    assert (conversation.system_prompt, conversation.sampling) == ("Old prompt", {})


def test_save_as_preset_and_delete_it(qtbot: QtBot, history: History, tmp_path: Path) -> None:
    presets = tmp_path / "config" / "presets.json"
    dialog, _cid = make_conversation_dialog(qtbot, history, presets, ["Precise", "Planning"])
    dialog.system_prompt.selectAll()
    qtbot.keyClicks(dialog.system_prompt, "Make a plan.")
    type_into(qtbot, dialog.temperature, "0.4")

    qtbot.mouseClick(dialog.save_preset_button, LEFT)  # a built-in's name: refused
    assert "built-in" in dialog.error_label.text()
    with qtbot.waitSignal(dialog.preset_saved) as saved:
        qtbot.mouseClick(dialog.save_preset_button, LEFT)
    assert saved.args == ["Planning"]
    assert dialog.error_label.isHidden()
    assert dialog.preset.currentData() == "Planning"
    mine = find_preset(load_presets(presets), "Planning")
    assert mine is not None
    assert mine.system_prompt == "Make a plan."
    assert mine.sampling == Sampling(0.4, 0.9, 300)

    assert dialog.delete_preset_button.isEnabled()
    qtbot.mouseClick(dialog.delete_preset_button, LEFT)
    assert find_preset(load_presets(presets), "Planning") is None
    assert dialog.preset.findData("Planning") == -1
    assert not dialog.delete_preset_button.isEnabled()
