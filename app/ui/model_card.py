"""One catalog model at a glance, for the welcome dialog: what it is, how big, whether it fits.

People choosing their first model need four facts, not a table: its name, its download
size, what it is good at, and whether this computer can run it. The license line is there
because some models may not be used for work; the download asks about it again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.catalog.catalog import CatalogModel, license_notice
from app.catalog.fit import FitVerdict
from app.ui.card_frame import CardFrame, emphasized, muted
from app.ui.metrics import GAP_LARGE, GAP_SMALL, TEXT_NAME
from app.units import human_size

JOB_WORDS = {"chat": "chat", "summarize": "summaries", "email": "e-mails"}


def good_for_text(model: CatalogModel) -> str:
    """ "Good for chat, summaries and e-mails." in the catalog's order."""
    words = [JOB_WORDS[job] for job in model.good_for]
    if not words:
        return ""
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"Good for {listed}."


def fit_text(verdict: FitVerdict) -> str:
    """ "Fits: needs about 2.1 GB…", the verdict and its one-line reason."""
    return f"{verdict.label.value}: {verdict.explanation}"


class ModelCard(CardFrame):
    """A catalog model's name, size, description, jobs, fit verdict and license."""

    def __init__(
        self, model: CatalogModel, verdict: FitVerdict, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"Recommended model: {model.name}")
        self.name_label = emphasized(QLabel(model.name), TEXT_NAME)
        self.size_label = emphasized(QLabel(human_size(model.size_bytes)))
        self.size_label.setAccessibleName("Download size")
        self.description_label = QLabel(model.description)
        self.good_for_label = QLabel(good_for_text(model))
        self.fit_label = QLabel(fit_text(verdict))
        self.fit_label.setAccessibleName("Will it run on this computer")
        self.license_label = muted(QLabel(license_notice(model)), smaller=True)
        heading = QHBoxLayout()
        heading.addWidget(self.name_label, 1)
        heading.addWidget(self.size_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(GAP_LARGE, GAP_LARGE, GAP_LARGE, GAP_LARGE)
        layout.setSpacing(GAP_SMALL)
        layout.addLayout(heading)
        for label in (self.description_label, self.good_for_label, self.fit_label):
            layout.addWidget(label)
        layout.addWidget(self.license_label)
        for label in self.findChildren(QLabel):
            label.setWordWrap(True)
        self.size_label.setWordWrap(False)
