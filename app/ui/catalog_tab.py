"""The model manager's catalog tab, laid out as a guide to choosing a model.

On top, the model recommended for this computer, highlighted, with why and its Download
button: most people need read no further. Under it, filters (size, language, use) and the
other chat models as cards; last, under their own heading, the embedding models, which find
passages in documents and are never offered for chat. Filtering hides cards; when none is
left, a line says so. What to show is decided in app/catalog/guide.py.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.catalog.catalog import CatalogModel
from app.catalog.guide import CatalogFilter, CatalogFit, memory_bar, recommendation_reason
from app.ui.catalog_card import CatalogCard
from app.ui.catalog_filters import CatalogFilters
from app.ui.download_controls import DownloadControls
from app.ui.metrics import GAP

NOTHING_MATCHES = "No model matches these filters. Set one of them back to “Any” to see more."
ONLY_RECOMMENDED = "Only the recommended model above matches these filters."
EMBEDDING_HEADING = "For finding passages in documents (not chat models)"

ControlsFactory = Callable[[CatalogModel], DownloadControls]
"""Makes (and keeps) the download controls of one catalog model."""


class CatalogTab(QWidget):
    """The recommended card, the filters and every other catalog model's card."""

    def __init__(
        self,
        catalog: list[CatalogModel],
        fit: CatalogFit,
        make_controls: ControlsFactory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.fit = fit
        self.recommended_card = self._card(fit.recommended, make_controls, recommended=True)
        others = [m for m in catalog if m.id != fit.recommended.id]
        self.cards = {m.id: self._card(m, make_controls) for m in others}
        self.filters = CatalogFilters()
        self.filters.filter_changed.connect(self.apply_filter)
        self.empty_notice = QLabel()
        self.empty_notice.setWordWrap(True)
        self.empty_notice.setAccessibleName("Filter result")
        self.embedding_heading = QLabel(f"<b>{EMBEDDING_HEADING}</b>")
        layout = QVBoxLayout(self)
        layout.setSpacing(GAP)
        layout.addWidget(self.recommended_card)
        layout.addWidget(self.filters)
        self.card_list = self._list([m for m in others if m.kind == "chat"], others)
        layout.addWidget(self.card_list, 1)
        self.apply_filter(CatalogFilter())

    def _card(
        self, model: CatalogModel, make_controls: ControlsFactory, *, recommended: bool = False
    ) -> CatalogCard:
        verdict = self.fit.verdicts[model.id]
        bar = memory_bar(verdict, self.fit.memory.gpu_budget)
        reason = recommendation_reason(model, verdict) if recommended else None
        return CatalogCard(model, verdict, bar, make_controls(model), reason)

    def _list(self, chat: list[CatalogModel], others: list[CatalogModel]) -> QScrollArea:
        """The other models' cards in a scroll area: chat models, then the embedding group."""
        content = QWidget()
        column = QVBoxLayout(content)
        column.setSpacing(GAP)
        column.addWidget(self.empty_notice)
        for model in chat:
            column.addWidget(self.cards[model.id])
        column.addWidget(self.embedding_heading)
        for model in others:
            if model not in chat:
                column.addWidget(self.cards[model.id])
        column.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setAccessibleName("Other models")
        return scroll

    @Slot(object)
    def apply_filter(self, wanted: CatalogFilter) -> None:
        """Show only the cards `wanted` matches; say so when none is left."""
        embedders_shown = False
        for card in self.cards.values():
            shown = wanted.matches(card.model)
            card.setVisible(shown)
            embedders_shown |= shown and card.model.kind != "chat"
        self.embedding_heading.setVisible(embedders_shown)
        if self.shown_ids():
            self.empty_notice.setText("")
        elif wanted.matches(self.fit.recommended):
            self.empty_notice.setText(ONLY_RECOMMENDED)
        else:
            self.empty_notice.setText(NOTHING_MATCHES)
        self.empty_notice.setVisible(bool(self.empty_notice.text()))
        self.card_list.verticalScrollBar().setValue(0)  # a new list is read from its top

    def shown_ids(self) -> list[str]:
        """The ids of the cards the filters leave in the list, in order (not the recommended)."""
        return [i for i, card in self.cards.items() if not card.isHidden()]
