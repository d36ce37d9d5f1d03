"""sqlite-utils without numpy: the store's first import of the library.

sqlite-utils imports numpy (and tries pandas) as it loads, only so it can store their
number types, which Hearth never does. In the window's process numpy was the largest single
import of the start: about 0.15 s of the 1 s budget for a shown window (measured with
`python3 -m tests.bench window`). The engine's process, which needs numpy, imports it there.
So unless numpy is loaded already, it is hidden while sqlite-utils loads, and only then:
afterwards `import numpy` works as always.
"""

from __future__ import annotations

import importlib
import sys


def import_sqlite_utils() -> None:
    """Import sqlite-utils (once per process) without letting it import numpy."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` now fails at once
    try:
        importlib.import_module("sqlite_utils")
    finally:
        if sys.modules.get("numpy") is None:  # still hidden (not imported meanwhile)
            sys.modules.pop("numpy", None)


import_sqlite_utils()
