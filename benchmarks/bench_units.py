"""Benchmark: importing the whole country's unit list (34 provinces, 3,321 communes) into an empty database.

    .venv/bin/python benchmarks/bench_units.py [--repeat 3] [--database-url sqlite:///…]

Not a test; prints figures. The list comes from tests/fixtures/units/make_country.py (the
official shape, synthetic commune names). Each run uses a fresh SQLite file in a temporary
folder unless --database-url names another (empty, migrated on the way) database.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fixtures

from reportsvc.db import engine as db  # noqa: E402
from reportsvc.services.units import import_units  # noqa: E402
from tests.fixtures.units.make_country import country, tall_csv, wide_xlsx  # noqa: E402


def _once(url: str, data: bytes, filename: str) -> tuple[float, float, int]:
    """Import ``data`` into a fresh database at ``url``; return (first import, re-import) seconds and units added."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    started = time.perf_counter()
    with db.transaction(sessions) as session:
        summary = import_units(session, data, filename, "benchmark")
    first = time.perf_counter() - started
    started = time.perf_counter()
    with db.transaction(sessions) as session:
        again = import_units(session, data, filename, "benchmark")
    second = time.perf_counter() - started
    engine.dispose()
    assert again.added == [] and again.unchanged == summary.total
    return first, second, len(summary.added)


def main() -> None:
    """Print the median time of the country import, first and again (idempotent), in both layouts."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    units = country()
    files = {"tall CSV": (tall_csv(units), "ca_nuoc.csv"), "wide XLSX": (wide_xlsx(units), "ca_nuoc.xlsx")}
    for label, (data, filename) in files.items():
        firsts, seconds, added = [], [], 0
        for index in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                url = args.database_url or f"sqlite:///{Path(folder) / f'bench{index}.sqlite3'}"
                first, second, added = _once(url, data, filename)
            firsts.append(first)
            seconds.append(second)
            if args.database_url:
                break  # a named database is not empty any more
        print(f"{label:<10} {added} units: import {statistics.median(firsts):.2f} s, "
              f"again (nothing added) {statistics.median(seconds):.2f} s  (median of {len(firsts)})")


if __name__ == "__main__":
    main()
