"""`python3 -m tests.bench [SUITE ...] [--quick]`: run the benchmarks and print one table.

Not part of the test suite: it takes minutes and prints timings, which tests never assert.
Every suite generates what it needs (models, databases, files) in a temporary or cache folder;
nothing is downloaded. Exit status 1 when a figure misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from app.bootstrap import run_in_venv

# name -> module in tests/bench/; each has `figures(quick: bool) -> Iterator[Figure]`
SUITES: dict[str, str] = {
    "engine": "engine_speed",
    "conversations": "conversations",
    "summaries": "summaries",
    "window": "window",
    "store": "store",
    "downloads": "downloads",
    "bundle": "bundle",
    "remote": "remote",
}


def main(argv: list[str]) -> int:
    from tests.bench.figures import Figure, failed, table

    parser = argparse.ArgumentParser(prog="python3 -m tests.bench", description=__doc__)
    parser.add_argument("suites", nargs="*", choices=[[], *SUITES], help="default: all")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller models")
    args = parser.parse_args(argv)
    figures: list[Figure] = []
    for name in args.suites or list(SUITES):
        started = time.perf_counter()
        print(f"== {name} ...", file=sys.stderr, flush=True)
        module = importlib.import_module(f"tests.bench.{SUITES[name]}")
        for figure in module.figures(args.quick):
            print(f"   {figure.name}: {figure.value:.4g} {figure.unit}", file=sys.stderr)
            figures.append(figure)
        print(f"   ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    print(table(figures))
    return 1 if failed(figures) else 0


if __name__ == "__main__":
    run_in_venv("test", ["tests.bench", *sys.argv[1:]])
    sys.exit(main(sys.argv[1:]))
