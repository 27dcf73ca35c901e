"""Benchmark: analysing the seed plans as DOCX, XLSX and CSV (not a test; prints figures).

    .venv/bin/python benchmarks/bench_import.py [--repeat 3]

The fixtures are the ones the tests build from the committed seed texts (tests/fixtures/seeds/,
written by tests/seed_fixtures.py); nothing outside the repository is read.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.seed_fixtures

from reportsvc.importing import analyse_plan  # noqa: E402
from reportsvc.hooks.registry import build_registry  # noqa: E402
from tests.seed_fixtures import build  # noqa: E402


def main() -> None:
    """Print the median analysis time per seed and format."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = build_registry()
    for seed in ("000", "001", "004"):
        for fmt in ("docx", "xlsx", "csv"):
            data = build(seed, fmt)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                parsed = analyse_plan(data, f"seed_{seed}.{fmt}", registry, None, year=2024)
                times.append(time.perf_counter() - start)
            print(f"seed {seed} {fmt:<4} {len(data) / 1024:6.0f} KiB  {parsed.total_rows:3d} items  "
                  f"median {statistics.median(times) * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
