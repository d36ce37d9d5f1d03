"""`python3 -m app [ARGS]`: run Hearth from a checkout, setting it up on first use."""

from __future__ import annotations

import sys

from app.bootstrap import run_in_venv

if __name__ == "__main__":
    run_in_venv("", ["app", *sys.argv[1:]])
    from app.cli import main

    sys.exit(main(sys.argv[1:]))
