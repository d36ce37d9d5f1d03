"""`python3 -m tests [PYTEST ARGS]`: run the whole test suite, setting it up on first use."""

from __future__ import annotations

import sys

from app.bootstrap import run_in_venv

if __name__ == "__main__":
    run_in_venv("test", ["tests", *sys.argv[1:]])
    import pytest

    sys.exit(pytest.main(sys.argv[1:]))
