"""Benchmark: end-to-end report generation on the demo locality (not a test; prints figures).

    .venv/bin/python benchmarks/bench_generate.py [--repeat 3]

Steps timed separately: building the report model from the database (all area plugins),
rendering DOCX, rendering PDF, and the full ``generate`` (build + DOCX + PDF + archive).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from reportsvc.db import engine as db
from reportsvc.report.build import build_report
from reportsvc.config import load_settings
from reportsvc.demo.load import load_demo
from reportsvc.services.generating import generate
from reportsvc.periods import parse_period
from reportsvc.render import render
from reportsvc.services.runtime import create_services


def timed(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    """Return the median wall time of ``repeat`` calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Run the benchmark and print one line per step."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services = create_services(load_settings({"database_url": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}))
        seconds, _ = timed(lambda: db.upgrade(services.engine), 1)
        print(f"migrations (empty SQLite)          {seconds:7.3f} s")
        with services.transaction() as session:
            seconds, _ = timed(lambda: load_demo(session, services.registry), 1)
        print(f"demo data                          {seconds:7.3f} s")
        for key in ("2024-Q1", "2024-Y"):
            period = parse_period(key)
            with services.sessions() as session:
                seconds, report = timed(lambda: build_report(session, services.registry, "HT", period), args.repeat)
            print(f"{key} build model (province)      {seconds:7.3f} s")
            seconds, _ = timed(lambda: render(report, ["docx"]), args.repeat)
            print(f"{key} render DOCX                 {seconds:7.3f} s")
            seconds, _ = timed(lambda: render(report, ["pdf"]), args.repeat)
            print(f"{key} render PDF                  {seconds:7.3f} s")
            seconds, _ = timed(lambda: generate(services, "HT", period, ["docx", "pdf"]), args.repeat)
            print(f"{key} generate (build+DOCX+PDF+archive) {seconds:7.3f} s")


if __name__ == "__main__":
    main()
