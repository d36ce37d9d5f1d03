"""First-use setup for a source checkout, with nothing but the standard library.

`python3 -m app` and `python3 -m tests` call `run_in_venv`: it creates `.venv` in the checkout,
installs Hearth into it (llama-cpp-python compiles llama.cpp once; pip's wheel cache makes
later installs quick), and re-runs the command with that environment's Python. The install is
redone only when pyproject.toml changes (a stamp file records its hash).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
VENV = CHECKOUT / ".venv"
MIN_PYTHON = (3, 11)


def _venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _inside_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _stamp(extras: str) -> str:
    digest = hashlib.sha256((CHECKOUT / "pyproject.toml").read_bytes()).hexdigest()
    return f"{digest} {extras}"


def ensure_venv(extras: str) -> Path:
    """Create or update `.venv` with Hearth and the given extras ("" or "test" or "dev")."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(
            f"Hearth needs Python {'.'.join(map(str, MIN_PYTHON))} or newer; "
            f"this is {sys.version.split()[0]}."
        )
    stamp_file = VENV / ".hearth-installed"
    wanted = _stamp(extras)
    installed = stamp_file.read_text().split("\n") if stamp_file.exists() else []
    same_project = [line for line in installed if line.split(" ")[0] == wanted.split(" ")[0]]
    # Extras only add packages: any install of this pyproject serves the plain app.
    if wanted in installed or (not extras and same_project):
        return _venv_python()
    if not _venv_python().exists():
        print("Hearth: creating a virtual environment in .venv ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print(
        "Hearth: installing dependencies (the first time, llama.cpp is compiled: about "
        "10-15 minutes) ...",
        file=sys.stderr,
        flush=True,
    )
    target = f"{CHECKOUT}[{extras}]" if extras else str(CHECKOUT)
    subprocess.run(
        [str(_venv_python()), "-m", "pip", "install", "--quiet", "-e", target], check=True
    )
    stamp_file.write_text("\n".join([*same_project, wanted]) + "\n")
    return _venv_python()


def run_in_venv(extras: str, module_args: list[str]) -> None:
    """Re-run `python -m <module_args>` inside the checkout's environment (never returns)."""
    python = ensure_venv(extras)
    if _inside_venv():
        return
    os.execv(str(python), [str(python), "-m", *module_args])
