"""The first-run welcome: privacy in a sentence, the recommended model, download or import.

Real dialogs on a real model library; only Qt's own modal boxes (the license question, the
file chooser) are answered by the test, as the other dialog tests do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.catalog.catalog import license_notice, load_catalog
from app.catalog.fit import FitLabel
from app.settings import Settings
from app.ui.download_controls import OFFLINE_REASON
from app.ui.onboarding_dialog import (
    IMPORT_TEXT,
    MINIMUM_SIZE,
    PRIVACY,
    TITLE,
    OnboardingDialog,
)
from app.units import human_size

WAIT_MS = 30_000


def open_dialog(qtbot: QtBot, models_dir: Path, settings: Settings) -> OnboardingDialog:
    dialog = OnboardingDialog(models_dir, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def onboarding(qtbot: QtBot, models_dir: Path) -> Iterator[OnboardingDialog]:
    dialog = open_dialog(qtbot, models_dir, Settings())
    yield dialog
    dialog.shutdown()


def shown_texts(dialog: OnboardingDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]


def test_the_welcome_says_what_hearth_does_with_your_words_in_one_sentence(
    onboarding: OnboardingDialog,
) -> None:
    texts = shown_texts(onboarding)
    assert onboarding.windowTitle() == TITLE
    assert TITLE in texts
    assert PRIVACY in texts
    assert PRIVACY.count(".") == 1  # one sentence
    assert "only time Hearth uses the network" in PRIVACY


def test_the_recommended_model_shows_its_size_jobs_fit_and_license(
    onboarding: OnboardingDialog,
) -> None:
    model, card = onboarding.recommended, onboarding.card
    assert card.isVisible()
    assert onboarding.model_label.text() == model.name
    assert card.size_label.text() == human_size(model.size_bytes)
    assert card.description_label.text() == model.description
    assert card.good_for_label.text().startswith("Good for chat")
    assert any(card.fit_label.text().startswith(f"{label.value}: ") for label in FitLabel)
    assert "Needs about" in card.fit_label.text()
    assert onboarding.license_label.text() == license_notice(model)


def test_download_is_the_main_button_and_names_the_size(onboarding: OnboardingDialog) -> None:
    button = onboarding.download.download_button
    assert button.isVisible()
    assert button.isEnabled()
    assert button.text() == f"Download ({human_size(onboarding.recommended.size_bytes)})"
    assert button.isDefault()  # Enter downloads
    assert onboarding.import_button.isVisible()
    assert onboarding.import_button.text() == IMPORT_TEXT
    assert onboarding.offline_hint.isVisible()  # a small line for computers with no network
    assert onboarding.status.text() == ""


def test_offline_the_import_is_the_way_and_the_status_says_why(
    qtbot: QtBot, models_dir: Path
) -> None:
    dialog = open_dialog(qtbot, models_dir, Settings(offline=True))
    assert not dialog.download.download_button.isEnabled()
    assert dialog.import_button.isDefault()
    assert dialog.status.text() == OFFLINE_REASON
    assert not dialog.offline_hint.isVisible()  # the status already says it
    dialog.shutdown()


def test_download_asks_about_the_license_first_and_can_be_declined(
    onboarding: OnboardingDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def decline(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", decline)
    onboarding.download.download_button.click()
    assert asked
    assert asked[0].startswith(license_notice(onboarding.recommended))
    assert onboarding.download.process is None  # declined: nothing started
    assert onboarding.isVisible()


def test_later_closes_without_a_model(qtbot: QtBot, onboarding: OnboardingDialog) -> None:
    buttons = onboarding.findChild(QDialogButtonBox)
    later = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert later.text() == "Later"
    with qtbot.assertNotEmitted(onboarding.model_ready):
        later.click()
    assert not onboarding.isVisible()
    assert onboarding.result() == OnboardingDialog.DialogCode.Rejected


def test_importing_a_gguf_file_makes_a_model_ready(
    qtbot: QtBot, onboarding: OnboardingDialog, scripted_model: Path
) -> None:
    with qtbot.waitSignal(onboarding.model_ready, timeout=WAIT_MS) as ready:
        onboarding.import_file(scripted_model)
    assert ready.args == ["scripted-tiny"]
    assert onboarding.result() == OnboardingDialog.DialogCode.Accepted
    assert not onboarding.isVisible()


def test_the_import_button_asks_for_the_file(
    qtbot: QtBot,
    onboarding: OnboardingDialog,
    scripted_model: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args: (str(scripted_model), ""))
    with qtbot.waitSignal(onboarding.model_ready, timeout=WAIT_MS) as ready:
        onboarding.import_button.click()
    assert ready.args == ["scripted-tiny"]


def test_a_file_that_is_no_model_is_refused_and_the_welcome_stays(
    qtbot: QtBot, onboarding: OnboardingDialog, bad_model_files: dict[str, Path]
) -> None:
    with qtbot.assertNotEmitted(onboarding.model_ready, wait=100):
        onboarding.import_file(bad_model_files["wrong_magic"])
        qtbot.waitUntil(onboarding.import_button.isEnabled, timeout=WAIT_MS)
    assert "not a usable GGUF model" in onboarding.status.text()
    assert onboarding.isVisible()


@pytest.mark.parametrize(
    "only",
    [None, "qwen2.5-3b-instruct-q4_k_m", "llama-3.2-3b-instruct-q4_k_m"],
    ids=["this computer's pick", "non-commercial license", "community license"],
)
def test_at_its_smallest_nothing_is_cut_off(
    qtbot: QtBot, models_dir: Path, only: str | None
) -> None:
    """The longer license notes wrap to more lines: the minimum height makes room."""
    catalog = [m for m in load_catalog() if only in (None, m.id)]
    dialog = OnboardingDialog(models_dir, Settings(), catalog=catalog)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.minimumWidth() == MINIMUM_SIZE.width()
    assert dialog.minimumHeight() >= MINIMUM_SIZE.height()
    dialog.resize(dialog.minimumSize())
    qtbot.waitUntil(lambda: dialog.size() == dialog.minimumSize())
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    dialog.shutdown()
