"""The conversation sidebar over a real history: list, rename, pin, trash, undo, search."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListView,
    QMessageBox,
    QStyleOptionViewItem,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.errors import NotFoundError
from app.store import ConversationKind, History
from app.store.timestamps import utc_timestamp
from app.ui.background_reads import BackgroundReads
from app.ui.conversation_model import ConversationListModel, ConversationRole
from app.ui.conversation_sidebar import SEARCH_PLACEHOLDER, ConversationSidebar
from app.ui.date_group_headers import DateGroupHeaders
from app.ui.icons import icon
from app.ui.search_results import SearchRole, snippet_html


class TickingClock:
    """One second later on every call, so "newest first" never ties."""

    def __init__(self) -> None:
        self._moment = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> str:
        self._moment += timedelta(seconds=1)
        return utc_timestamp(self._moment)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    with History.open(tmp_path / "hearth.db", now=TickingClock()) as opened:
        yield opened


_READS: list[BackgroundReads] = []  # the sidebars' reading threads, ended after each test


@pytest.fixture(autouse=True)
def _end_reads() -> Iterator[None]:
    yield
    while _READS:
        _READS.pop().shutdown()


def make_sidebar(qtbot: QtBot, history: History, undo_ms: int = 8000) -> ConversationSidebar:
    (_, _, database), *_ = history.db.execute("PRAGMA database_list").fetchall()
    reads = BackgroundReads(Path(database))  # searches run on their own thread, as in the app
    _READS.append(reads)
    sidebar = ConversationSidebar(history, reads, undo_timeout_ms=undo_ms)
    qtbot.addWidget(sidebar)
    sidebar.resize(320, 480)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    sidebar.activateWindow()
    qtbot.waitUntil(sidebar.isActiveWindow)
    return sidebar


def titles(view: QListView) -> list[str]:
    model = view.model()
    return [str(model.index(row, 0).data()) for row in range(model.rowCount())]


def conversation(history: History, title: str, *text: str) -> int:
    cid = history.create_conversation(title=title)
    for content in text:
        history.add_message(cid, "user", content)
    return cid


def click_row(qtbot: QtBot, view: QListView, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def answer_next_message_box(button_text: str) -> None:
    """Click `button_text` in the next modal message box, once it is open."""

    def answer(tries: int = 200) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if tries > 0:
                QTimer.singleShot(10, lambda: answer(tries - 1))
            return
        for button in box.buttons():
            if button.text() == button_text:
                button.click()

    QTimer.singleShot(0, answer)


def add_window_escape(sidebar: ConversationSidebar) -> list[bool]:
    """A window-wide Esc shortcut (the main window's Stop); returns its trigger record."""
    triggered: list[bool] = []
    escape = QAction(sidebar)
    escape.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    escape.triggered.connect(lambda: triggered.append(True))
    sidebar.addAction(escape)
    return triggered


def search_for(qtbot: QtBot, sidebar: ConversationSidebar, text: str) -> None:
    sidebar.search_field.clear()
    qtbot.keyClicks(sidebar.search_field, text)
    qtbot.waitUntil(lambda: sidebar.stack.currentWidget() is sidebar.search_page)


# -- the list ------------------------------------------------------------------------------


def test_lists_pinned_first_then_newest(qtbot: QtBot, history: History) -> None:
    old = conversation(history, "Old")
    pinned = conversation(history, "Pinned")
    conversation(history, "")
    history.add_message(old, "user", "a new message makes it the newest")
    history.set_pinned(pinned, True)
    sidebar = make_sidebar(qtbot, history)
    assert titles(sidebar.list_view) == ["Pinned", "Old", "New conversation"]
    first = sidebar.list_view.model().index(0, 0)
    assert first.data(ConversationRole.ID) == pinned
    assert first.data(ConversationRole.PINNED) is True
    assert first.data(ConversationRole.UPDATED_AT) == history.get_conversation(pinned).updated_at


def test_new_conversation_button_emits(qtbot: QtBot, history: History) -> None:
    sidebar = make_sidebar(qtbot, history)
    with qtbot.waitSignal(sidebar.new_conversation_requested):
        qtbot.mouseClick(sidebar.new_button, Qt.MouseButton.LeftButton)


def test_selecting_emits_the_id_and_select_conversation_does_not(
    qtbot: QtBot, history: History
) -> None:
    first = conversation(history, "First")
    second = conversation(history, "Second")
    sidebar = make_sidebar(qtbot, history)
    with qtbot.waitSignal(sidebar.conversation_selected) as blocker:
        click_row(qtbot, sidebar.list_view, 1)
    assert blocker.args == [first]
    assert sidebar.current_conversation_id() == first
    with qtbot.waitSignal(sidebar.conversation_selected) as blocker:
        qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Up)
    assert blocker.args == [second]
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        assert sidebar.select_conversation(first)
        assert not sidebar.select_conversation(12345)
    assert sidebar.current_conversation_id() == first


def test_refresh_keeps_the_selection_without_signals(qtbot: QtBot, history: History) -> None:
    first = conversation(history, "First")
    second = conversation(history, "Second")
    sidebar = make_sidebar(qtbot, history)
    sidebar.select_conversation(second)
    history.add_message(first, "user", "First moves to the top")
    newest = conversation(history, "Newest")
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        sidebar.refresh()
    assert titles(sidebar.list_view) == ["Newest", "First", "Second"]
    assert sidebar.current_conversation_id() == second
    assert sidebar.select_conversation(newest)


def test_rename_with_f2_persists(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "Untidy title")
    sidebar = make_sidebar(qtbot, history)
    sidebar.select_conversation(cid)
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_F2)
    editor = sidebar.list_view.indexWidget(sidebar.list_view.currentIndex())
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "Untidy title"
    editor.selectAll()
    qtbot.keyClicks(editor, "Otter facts")
    with qtbot.waitSignal(sidebar.conversation_renamed) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args == [cid]
    assert history.get_conversation(cid).title == "Otter facts"
    assert titles(sidebar.list_view) == ["Otter facts"]


def test_esc_cancels_renaming_before_any_window_shortcut(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "As it was")
    sidebar = make_sidebar(qtbot, history)
    window_escapes = add_window_escape(sidebar)
    sidebar.select_conversation(cid)
    sidebar.list_view.setFocus()
    sidebar.rename_action.trigger()
    editor = sidebar.list_view.indexWidget(sidebar.list_view.currentIndex())
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "Changed my mind")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert window_escapes == []
    assert sidebar.list_view.indexWidget(sidebar.list_view.currentIndex()) is None
    assert history.get_conversation(cid).title == "As it was"


def test_an_empty_title_is_refused(history: History) -> None:
    cid = conversation(history, "Keep me")
    model = ConversationListModel(history)
    assert not model.setData(model.index(0, 0), "   ")
    assert history.get_conversation(cid).title == "Keep me"


def test_pin_moves_to_the_top_and_keeps_the_selection(qtbot: QtBot, history: History) -> None:
    older = conversation(history, "Older")
    conversation(history, "Newer")
    sidebar = make_sidebar(qtbot, history)
    sidebar.select_conversation(older)
    menu = sidebar.build_menu(sidebar.list_view)
    assert [a.text() for a in menu.actions()] == ["Rename", "Pin", "Delete"]
    pin = menu.actions()[1]
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        pin.trigger()
    assert history.get_conversation(older).pinned
    assert titles(sidebar.list_view) == ["Older", "Newer"]
    assert sidebar.current_conversation_id() == older
    assert sidebar.pin_action.text() == "Unpin"
    sidebar.pin_action.trigger()
    assert titles(sidebar.list_view) == ["Newer", "Older"]


# -- trash and undo ------------------------------------------------------------------------


def test_delete_key_moves_to_trash_and_undo_restores(qtbot: QtBot, history: History) -> None:
    keep = conversation(history, "Keep")
    doomed = conversation(history, "Doomed")
    sidebar = make_sidebar(qtbot, history)
    sidebar.select_conversation(doomed)
    sidebar.list_view.setFocus()
    selected: list[int] = []
    sidebar.conversation_selected.connect(selected.append)
    with qtbot.waitSignal(sidebar.conversation_deleted) as blocker:
        qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Delete)
    assert blocker.args == [doomed]
    assert titles(sidebar.list_view) == ["Keep"]
    assert [c.id for c in history.list_conversations(trash=True)] == [doomed]
    assert sidebar.undo_bar.isVisible()
    assert sidebar.undo_label.text() == "Conversation moved to the trash."
    # Like any single-selection list, the neighbour takes the selection (and is announced).
    assert sidebar.current_conversation_id() == keep
    assert selected == [keep]
    with qtbot.waitSignal(sidebar.conversation_restored) as blocker:
        qtbot.mouseClick(sidebar.undo_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [doomed]
    assert not sidebar.undo_bar.isVisible()
    assert history.list_conversations(trash=True) == []
    assert titles(sidebar.list_view) == ["Doomed", "Keep"]
    assert sidebar.current_conversation_id() == keep


def test_deleting_the_last_conversation_leaves_no_selection(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "Alone")
    sidebar = make_sidebar(qtbot, history)
    sidebar.select_conversation(cid)
    with qtbot.assertNotEmitted(sidebar.conversation_selected):
        sidebar.delete_action.trigger()
    assert sidebar.current_conversation_id() is None
    assert not sidebar.delete_action.isEnabled()


def test_undo_bar_goes_away_after_a_while(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "Soon gone")
    sidebar = make_sidebar(qtbot, history, undo_ms=50)
    sidebar.select_conversation(cid)
    sidebar.delete_selected()
    assert sidebar.undo_bar.isVisible()
    qtbot.waitUntil(lambda: not sidebar.undo_bar.isVisible())
    assert [c.id for c in history.list_conversations(trash=True)] == [cid]


def test_trash_restores_and_deletes_forever(qtbot: QtBot, history: History) -> None:
    back = conversation(history, "Comes back")
    gone = conversation(history, "Gone for good")
    history.delete(back)
    history.delete(gone)
    sidebar = make_sidebar(qtbot, history)
    assert titles(sidebar.list_view) == []
    qtbot.mouseClick(sidebar.trash_toggle, Qt.MouseButton.LeftButton)
    assert sidebar.stack.currentWidget() is sidebar.trash_page
    assert sidebar.trash_toggle.text() == "Back to conversations"
    assert titles(sidebar.trash_view) == ["Gone for good", "Comes back"]
    assert not sidebar.restore_button.isEnabled()
    menu = sidebar.build_menu(sidebar.trash_view)
    assert [a.text() for a in menu.actions()] == ["Restore", "Delete forever"]

    click_row(qtbot, sidebar.trash_view, 1)
    with qtbot.waitSignal(sidebar.conversation_restored) as blocker:
        qtbot.mouseClick(sidebar.restore_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [back]
    assert titles(sidebar.trash_view) == ["Gone for good"]
    assert titles(sidebar.list_view) == ["Comes back"]

    click_row(qtbot, sidebar.trash_view, 0)
    answer_next_message_box("Cancel")
    with qtbot.assertNotEmitted(sidebar.conversation_purged):
        qtbot.mouseClick(sidebar.purge_button, Qt.MouseButton.LeftButton)
    assert history.get_conversation(gone).deleted_at is not None

    answer_next_message_box("Delete forever")
    with qtbot.waitSignal(sidebar.conversation_purged) as blocker:
        qtbot.mouseClick(sidebar.purge_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [gone]
    with pytest.raises(NotFoundError):
        history.get_conversation(gone)
    assert titles(sidebar.trash_view) == []
    assert sidebar.trash_empty_label.isVisible()


# -- search --------------------------------------------------------------------------------

SLEEPY = "Otters hold hands while they sleep <script>alert(1)</script> in kelp"


def test_search_as_you_type_shows_highlighted_escaped_snippets(
    qtbot: QtBot, qtmodeltester: ModelTester, history: History
) -> None:
    cid = conversation(history, "Sea animals", SLEEPY)
    conversation(history, "Other", "Nothing to see here")
    sidebar = make_sidebar(qtbot, history)
    qtmodeltester.check(sidebar.results_model)
    search_for(qtbot, sidebar, "otters")
    view = sidebar.results_view
    assert view.model().rowCount() == 1
    index = view.model().index(0, 0)
    markup = sidebar.results_delegate.html_for(index)
    assert "<b>Otters</b>" in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<script>" not in markup
    assert "Sea animals" in markup
    assert str(index.data()).startswith("Sea animals: Otters hold hands")
    option = QStyleOptionViewItem()
    option.rect = view.visualRect(index)
    document = sidebar.results_delegate.document_for(option, index)
    assert "<script>alert(1)</script>" in document.toPlainText()
    assert "[" not in document.toPlainText()
    assert not view.grab().isNull()  # paints through the delegate without complaint
    assert index.data(SearchRole.MESSAGE_ID) == message_id_of(history, cid)


def test_a_half_typed_word_already_finds_messages(qtbot: QtBot, history: History) -> None:
    conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    search_for(qtbot, sidebar, "ott")
    assert sidebar.results_view.model().rowCount() == 1
    assert not sidebar.no_results_label.isVisible()


def message_id_of(history: History, cid: int) -> int:
    return history.active_path(cid)[-1].id


def test_activating_a_hit_emits_conversation_and_message(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    search_for(qtbot, sidebar, "kelp")
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Down)
    assert sidebar.results_view.hasFocus()
    with qtbot.waitSignal(sidebar.search_hit_activated) as blocker:
        qtbot.keyClick(sidebar.results_view, Qt.Key.Key_Return)
    assert blocker.args == [cid, message_id_of(history, cid)]


def test_clicking_a_hit_emits_once(qtbot: QtBot, history: History) -> None:
    cid = conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    search_for(qtbot, sidebar, "hands")
    seen: list[tuple[int, int]] = []
    sidebar.search_hit_activated.connect(lambda c, m: seen.append((c, m)))
    click_row(qtbot, sidebar.results_view, 0)
    assert seen == [(cid, message_id_of(history, cid))]


def test_esc_and_clearing_return_to_the_list(qtbot: QtBot, history: History) -> None:
    conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    window_escapes = add_window_escape(sidebar)
    sidebar.focus_search()
    assert sidebar.search_field.hasFocus()
    search_for(qtbot, sidebar, "otters")
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Escape)
    assert sidebar.search_field.text() == ""
    assert sidebar.stack.currentWidget() is sidebar.list_view
    assert window_escapes == []
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Escape)  # nothing to clear: the window's
    assert window_escapes == [True]
    search_for(qtbot, sidebar, "otters")
    sidebar.search_field.clear()
    assert sidebar.stack.currentWidget() is sidebar.list_view


def test_no_results_are_explained(qtbot: QtBot, history: History) -> None:
    conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    search_for(qtbot, sidebar, "<b>zebra")
    assert sidebar.results_view.model().rowCount() == 0
    assert sidebar.no_results_label.isVisible()
    assert not sidebar.results_view.isVisible()
    assert sidebar.no_results_label.text() == "No messages match “<b>zebra”."
    assert sidebar.no_results_label.textFormat() == Qt.TextFormat.PlainText


@pytest.mark.parametrize("query", ['"', "*", "-", "-otters", "otters*", 'NEAR(" AND', "^ : ("])
def test_special_characters_in_queries_do_not_raise(
    qtbot: QtBot, history: History, query: str
) -> None:
    conversation(history, "Sea animals", SLEEPY)
    sidebar = make_sidebar(qtbot, history)
    with qtbot.assertNotEmitted(sidebar.action_failed):
        qtbot.keyClicks(sidebar.search_field, query)
        sidebar.run_search()
        qtbot.waitUntil(lambda: sidebar.stack.currentWidget() is sidebar.search_page)


def test_only_bracketed_query_words_are_highlighted() -> None:
    # The store marks matches with [ ]; brackets typed in the message stay as they were.
    assert snippet_html("x = [1, 2] and [Otters] [[otters]]", "otters") == (
        'x = [1, 2] and <span style="background-color:#ffe680; color:#000000;"><b>Otters'
        '</b></span> [<span style="background-color:#ffe680; color:#000000;"><b>otters</b>'
        "</span>]"
    )
    assert "<b>Café</b>" in snippet_html("…[Café] au lait", "cafe")


# -- keyboard and accessibility ------------------------------------------------------------


def test_controls_have_accessible_names(qtbot: QtBot, history: History) -> None:
    sidebar = make_sidebar(qtbot, history)
    assert sidebar.search_field.placeholderText() == SEARCH_PLACEHOLDER
    controls: list[QWidget] = [
        sidebar.new_button,
        sidebar.search_field,
        sidebar.list_view,
        sidebar.trash_view,
        sidebar.results_view,
        sidebar.restore_button,
        sidebar.purge_button,
        sidebar.undo_button,
        sidebar.trash_toggle,
    ]
    for control in controls:
        assert control.accessibleName(), control
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control


def test_tab_reaches_search_and_list(qtbot: QtBot, history: History) -> None:
    conversation(history, "Only one")
    sidebar = make_sidebar(qtbot, history)
    sidebar.new_button.setFocus()
    qtbot.keyClick(sidebar.new_button, Qt.Key.Key_Tab)
    assert sidebar.search_field.hasFocus()
    qtbot.keyClick(sidebar.search_field, Qt.Key.Key_Tab)
    assert sidebar.list_view.hasFocus()


def test_model_refresh_moves_rows_in_place(qtmodeltester: ModelTester, history: History) -> None:
    ids = [conversation(history, f"C{n}") for n in range(5)]  # C4 is the newest
    model = ConversationListModel(history)
    qtmodeltester.check(model)  # keeps checking every change below
    kept = [QPersistentModelIndex(model.index_of(cid)) for cid in ids]
    history.delete(ids[4])
    history.set_pinned(ids[0], True)
    history.add_message(ids[2], "user", "C2 becomes the newest")
    history.rename(ids[1], "C1 renamed")
    added = conversation(history, "Added")
    model.refresh()
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == [
        "C0",
        "Added",
        "C2",
        "C3",
        "C1 renamed",
    ]
    assert not kept[4].isValid()
    for cid, index in zip(ids[:4], kept[:4], strict=True):
        assert index.data(ConversationRole.ID) == cid
    assert model.index_of(added).row() == 1


def test_list_model_ignores_invalid_indexes(history: History) -> None:
    conversation(history, "One")
    model = ConversationListModel(history)
    assert model.data(QModelIndex()) is None
    assert model.rowCount(model.index(0, 0)) == 0


class SetClock:
    """Whatever moment the test sets."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> str:
        return utc_timestamp(self.moment)


def test_the_list_is_grouped_by_date_under_headers_with_pinned_first(
    qtbot: QtBot, tmp_path: Path
) -> None:
    clock = SetClock()
    now = datetime.now(UTC)
    with History.open(tmp_path / "dated.db", now=clock) as dated:
        ids = {}
        for name, age in (("old", 45), ("week a", 3), ("week b", 2.9), ("today", 0)):
            clock.moment = now - timedelta(days=age)
            ids[name] = dated.create_conversation(title=name)
        sidebar = make_sidebar(qtbot, dated)
        view = sidebar.list_view
        delegate = view.itemDelegate()
        assert isinstance(delegate, DateGroupHeaders)
        model = view.model()
        assert titles(view) == ["today", "week b", "week a", "old"]
        headers = [delegate.header_of(model.index(row, 0)) for row in range(4)]
        old_group = model.index(3, 0).data(ConversationRole.GROUP)
        assert headers == ["Today", "Previous 7 days", None, old_group]
        assert old_group not in ("Today", "Yesterday", "Previous 7 days", "Previous 30 days")
        # a group's first row is taller by its header; the rows under it are not
        heights = [view.sizeHintForIndex(model.index(row, 0)).height() for row in range(4)]
        assert heights[1] > heights[2]
        assert heights[0] == heights[1] == heights[3]

        view.setCurrentIndex(model.index(3, 0))
        sidebar.toggle_pin_selected()
        assert titles(view) == ["old", "today", "week b", "week a"]
        assert delegate.header_of(model.index(0, 0)) == "Pinned"
        assert delegate.header_of(model.index(1, 0)) == "Today"


def test_each_row_shows_what_kind_of_conversation_it_is(qtbot: QtBot, history: History) -> None:
    for kind in (ConversationKind.CHAT, ConversationKind.SUMMARY, ConversationKind.EMAIL):
        history.create_conversation(title=kind.value, kind=kind)
    model = ConversationListModel(history)
    shown = {
        str(model.index(row, 0).data()): model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
        for row in range(model.rowCount())
    }
    assert shown["chat"].cacheKey() == icon("chat").cacheKey()
    assert shown["summary"].cacheKey() == icon("document").cacheKey()
    assert shown["email"].cacheKey() == icon("email").cacheKey()
    assert not icon("email").isNull()
