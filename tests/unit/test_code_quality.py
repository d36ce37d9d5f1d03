"""The codebase's own rules, checked on every run: lint, format, types, and the Qt boundary."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_lint_passes() -> None:
    result = run_tool("ruff", "check", "app", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = run_tool("ruff", "format", "--check", "app", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_passes() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_ui_package_imports_qt() -> None:
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "app").parts:
            continue
        qt = [name for name in imported_modules(path) if name.split(".")[0] == "PySide6"]
        if qt:
            offenders.append(f"{path.relative_to(ROOT)}: {qt}")
    assert offenders == []
    assert any(
        "PySide6" in m.split(".")[0]
        for m in imported_modules(ROOT / "app" / "ui" / "main_window.py")
    )
