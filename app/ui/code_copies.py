"""What the transcript's code-block "Copy" links copy: `hearth-copy:<index>` -> the code.

Indices only grow while a view lives, so a link rendered earlier never points at another
block after parts of the document are rendered again; a block that left the document is
dropped, and its link (gone with it) copies nothing.
"""

from __future__ import annotations

from app.ui.markdown_html import RenderedMessage


class CodeCopies:
    """The code texts behind the copy links, by link index."""

    def __init__(self) -> None:
        self._blocks: dict[int, str] = {}
        self.next_index = 0  # where the next rendering starts numbering its copy links

    def register(self, rendered: RenderedMessage) -> list[int]:
        """Make the copy links of `rendered` (numbered from `next_index`) work; their indices."""
        indices = list(range(self.next_index, self.next_index + len(rendered.code_blocks)))
        self._blocks.update(zip(indices, rendered.code_blocks, strict=True))
        self.next_index += len(indices)
        return indices

    def drop(self, indices: list[int]) -> None:
        """Forget blocks that are no longer in the document."""
        for index in indices:
            self._blocks.pop(index, None)

    def clear(self) -> None:
        """Forget every block (the document was cleared); numbering goes on from here."""
        self._blocks.clear()

    def code(self, index_text: str) -> str | None:
        """The code a link's path ("3") copies; None for an unknown or malformed index."""
        return self._blocks.get(int(index_text)) if index_text.isdigit() else None
