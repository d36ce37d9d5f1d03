"""The window's spacing scale and type sizes, in one place.

One short scale keeps the window consistent: a card, a dialog and the empty conversation
use the same few gaps, so nothing is 10 pixels here and 12 there by accident, and a change
of look is made here once. Spacing is in device-independent pixels (Qt scales them for
high-DPI screens). Type sizes are factors of the system font, never point sizes: the
user's font settings and the screen's scaling still apply, and a larger system font makes
every title larger too.
"""

from __future__ import annotations

from PySide6.QtGui import QFont

# Spacing, from the tightest to the widest.
GAP_TIGHT = 2  # between a widget and its own caption (a gauge and its summary)
GAP_SMALL = 6  # between the lines of one card; an item's inner margin
GAP = 10  # between the parts of a page or dialog; an icon and its title
GAP_LARGE = 14  # inside a card (its padding); between columns of facts
DIALOG_MARGIN = 20  # around a dialog's content, when it sets its own

RADIUS = 8  # rounded corners of cards

# Icons drawn as pictures (buttons and lists use the style's own icon size).
ICON_CARD = 24  # a card's icon, beside its title
ICON_LOGO = 40  # Hearth's logo beside the welcome

# Type sizes, as factors of the system font.
TEXT_CAPTION = 0.85  # group headers in lists
TEXT_SMALL = 0.9  # secondary text: notes, licenses, small headings
TEXT_NAME = 1.1  # a model's name on its card
TEXT_TITLE = 1.4  # a page's title
TEXT_WELCOME = 1.5  # the first-run welcome
SMALLEST_POINTS = 7.0  # no text is scaled below this: it must stay readable


def scaled(font: QFont, factor: float) -> QFont:
    """A copy of `font`, `factor` times its size (never below SMALLEST_POINTS)."""
    result = QFont(font)
    if font.pointSizeF() > 0:
        result.setPointSizeF(max(font.pointSizeF() * factor, SMALLEST_POINTS))
    else:  # a font sized in pixels (a style sheet's) has no point size
        result.setPixelSize(max(round(font.pixelSize() * factor), 1))
    return result
