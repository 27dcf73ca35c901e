"""Benchmark: the service at national scale, in-process (not a test; prints figures).

    .venv/bin/python benchmarks/bench_scale.py [--small 100] [--large 1000] [--sample 5] [--batch 24]
                                               [--jobs N] [--formats docx,pdf] [--repeat 1]

Measured on the two-tier demo province of ``reportsvc demo --communes N`` (reportsvc/demo/scale.py),
in fresh SQLite files in a temporary folder:

1. the time to load the demo with 200 communes (target: under 30 s);
2. the SQL statements (counted with SQLAlchemy's ``before_cursor_execute`` event) of the province's
   annual report and of one commune's, with ``--small`` and then ``--large`` communes (target: at most
   1.25 times as many for 10 times the communes);
3. the build time of the province's annual report with ``--large`` communes;
4. the build, DOCX and PDF time of one commune's annual report (median over ``--sample`` communes);
5. the throughput of ``report batch`` in-process (reportsvc.services.batch.run_batch on ``--jobs``
   worker processes, DOCX and PDF, ``--batch`` communes) and on Celery with 2 workers (see
   celery_throughput below), and the time they project for the country's 3,321 communes (target:
   10 minutes or less on this 2-core machine).

The machine's load average is printed first and last: other work on the same cores slows every figure.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

from reportsvc.config import load_settings
from reportsvc.db import engine as db
from reportsvc.demo.scale import PROVINCE, YEAR, commune_code, load_scale_demo
from reportsvc.periods import Period
from reportsvc.render import render
from reportsvc.report.build import build_report
from reportsvc.services.batch import MADE, Selection, run_batch, select_units
from reportsvc.services.runtime import Services, create_services

COUNTRY_COMMUNES = 3321
TARGET_MINUTES = 10.0
PERIOD = Period(YEAR, "Y")


class StatementCounter:
    """Counts the statements an engine sends to the database while active (executemany counts once)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    @contextmanager
    def counting(self) -> Iterator["StatementCounter"]:
        """Count from zero the statements sent inside the block."""
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)
        try:
            yield self
        finally:
            event.remove(self.engine, "before_cursor_execute", self._seen)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Return the median wall time of ``repeat`` calls of ``fn`` and its last result."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def fresh_services(folder: Path, name: str) -> Services:
    """Return Services on a new, migrated SQLite file in ``folder``."""
    services = create_services(load_settings({"database_url": f"sqlite:///{folder / name}.sqlite3",
                                              "data_dir": str(folder / "data")}))
    db.upgrade(services.engine)
    return services


def load(services: Services, communes: int) -> tuple[float, int]:
    """Load (or grow) the demo province to ``communes`` communes; return the seconds and units added."""
    registry = services.registry

    def run() -> int:
        with services.transaction() as session:
            return load_scale_demo(session, registry, communes).units

    return timed(run)


def statements(services: Services, unit_code: str) -> tuple[int, float]:
    """Return the statements and seconds building the unit's annual report takes (registry loaded first)."""
    registry = services.registry
    counter = StatementCounter(services.engine)
    with services.sessions() as session, counter.counting():
        started = time.perf_counter()
        build_report(session, registry, unit_code, PERIOD)
        seconds = time.perf_counter() - started
    return counter.count, seconds


def per_commune(services: Services, sample: int) -> dict[str, float]:
    """Return the median build, DOCX and PDF seconds of a commune's annual report over ``sample`` communes."""
    registry = services.registry
    times: dict[str, list[float]] = {"build": [], "docx": [], "pdf": []}
    with services.sessions() as session:  # warm up: fonts, templates, the first chart
        render(build_report(session, registry, commune_code(1), PERIOD), ["docx", "pdf"])
    for index in range(1, sample + 1):
        with services.sessions() as session:
            seconds, report = timed(lambda: build_report(session, registry, commune_code(index), PERIOD))
        times["build"].append(seconds)
        for fmt in ("docx", "pdf"):
            times[fmt].append(timed(lambda: render(report, [fmt]))[0])
    return {key: statistics.median(values) for key, values in times.items()}


def in_process_throughput(services: Services, count: int, jobs: int,
                          formats: list[str]) -> tuple[float, int, float, float]:
    """Run an in-process batch of ``count`` communes; return (seconds, reports made, reports per second, mean job seconds)."""
    selection = select_units(services, PERIOD, PROVINCE["code"], ("xa", "phuong"), again=True)
    selection = replace(selection, todo=selection.todo[:count], archived=[])
    started = time.perf_counter()
    outcomes = run_batch(services.settings, selection, formats, jobs=jobs, again=True, user="benchmark")
    seconds = time.perf_counter() - started
    made = sum(outcome.state == MADE for outcome in outcomes)
    failed = [outcome for outcome in outcomes if outcome.state != MADE]
    if failed:
        print(f"  ({len(failed)} not made, e.g. {failed[0].unit_code}: {failed[0].reason})")
    job = statistics.mean(outcome.seconds for outcome in outcomes) if outcomes else 0.0
    return seconds, made, made / seconds if seconds else 0.0, job


# ================================================================ Celery throughput
def celery_throughput(services: Services, selection: Selection, formats: list[str],
                      workers: int = 2) -> tuple[float, int, float] | None:
    """Return (seconds, reports made, reports per second) of ``selection`` on ``workers`` Celery workers.

    benchmarks/bench_queue.py starts redis-server on a free port and the ``reportsvc worker``
    processes on this database, hands them one task per unit as ``report batch --queue`` does,
    and times the batch from the first task queued to the last result (worker start-up excluded).
    """
    from bench_queue import on_celery  # benchmarks/ is the script's folder, first on sys.path

    seconds, outcomes = on_celery(services.settings, selection, formats, workers)
    made = sum(outcome.state == MADE for outcome in outcomes)
    failed = [outcome for outcome in outcomes if outcome.state != MADE]
    if failed:
        print(f"  ({len(failed)} not made on Celery, e.g. {failed[0].unit_code}: {failed[0].reason})")
    return seconds, made, made / seconds if seconds else 0.0
# ================================================================ end of the Celery part


def projection(rate: float) -> str:
    """Return the projected time of the country's communes at ``rate`` reports per second, against the target."""
    if rate <= 0:
        return "n/a"
    minutes = COUNTRY_COMMUNES / rate / 60
    verdict = "meets" if minutes <= TARGET_MINUTES else f"misses by {minutes / TARGET_MINUTES:.1f}x"
    return f"{minutes:6.1f} min for {COUNTRY_COMMUNES:,} communes ({verdict} the {TARGET_MINUTES:.0f}-minute target)"


def main() -> None:
    """Run every measurement and print one line per figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=100, help="communes of the first statement count")
    parser.add_argument("--large", type=int, default=1000, help="communes of the second count and the build time")
    parser.add_argument("--sample", type=int, default=5, help="communes whose own report is timed")
    parser.add_argument("--batch", type=int, default=24, help="communes of the in-process batch")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--formats", default="docx,pdf")
    parser.add_argument("--repeat", type=int, default=1, help="repeats of the province build (median)")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        services = fresh_services(folder, "demo200")
        seconds, added = load(services, 200)
        print(f"demo --communes 200 (fresh SQLite)           {seconds:8.2f} s   ({added} units; target < 30 s)")
        services.engine.dispose()

        services = fresh_services(folder, "scale")
        seconds, _ = load(services, args.small)
        print(f"demo --communes {args.small:<5} (fresh SQLite)         {seconds:8.2f} s")
        statements(services, PROVINCE["code"])  # warm up: plugins, templates, first queries
        small = statements(services, PROVINCE["code"]), statements(services, commune_code(1))
        seconds, _ = load(services, args.large)
        print(f"demo grown to {args.large} communes                  {seconds:8.2f} s")
        large = statements(services, PROVINCE["code"]), statements(services, commune_code(1))
        ratio = args.large / args.small
        for label, (at_small, _), (at_large, _) in (("province", small[0], large[0]),
                                                    ("commune ", small[1], large[1])):
            growth = at_large / at_small if at_small else float("nan")
            print(f"statements, {label} {PERIOD.key}: {at_small:6d} with {args.small} communes, {at_large:6d} with "
                  f"{args.large} ({growth:.2f}x for {ratio:.0f}x the communes; target <= 1.25x)")
        seconds, _ = timed(lambda: statements(services, PROVINCE["code"]), args.repeat)
        print(f"build, province report with {args.large} communes   {seconds:8.2f} s")

        times = per_commune(services, args.sample)
        print(f"commune report: build {times['build']:.3f} s, DOCX {times['docx']:.3f} s, PDF {times['pdf']:.3f} s "
              f"(median of {args.sample}; DOCX+PDF with build {sum(times.values()):.3f} s)")
        serial = sum(times.values())
        print(f"  single process, serial:                    {projection(1 / serial if serial else 0)}")

        seconds, made, rate, job = in_process_throughput(services, args.batch, args.jobs, formats)
        print(f"batch in-process ({args.jobs} jobs, {'+'.join(formats)}): {made} reports in {seconds:.1f} s = "
              f"{rate * 60:.1f} reports/min (one job: {job:.2f} s in its worker, worker start-up included in the wall time)")
        print(f"  projected:                                 {projection(rate)}")

        selection = select_units(services, PERIOD, PROVINCE["code"], ("xa", "phuong"), again=True)
        selection = replace(selection, todo=selection.todo[:args.batch], archived=[])
        queued = celery_throughput(services, selection, formats, workers=2)
        if queued is None:
            print("batch on Celery (2 workers): not measured (celery_throughput is not filled in yet)")
        else:
            seconds, made, rate = queued
            print(f"batch on Celery (2 workers, {'+'.join(formats)}): {made} reports in {seconds:.1f} s = "
                  f"{rate * 60:.1f} reports/min")
            print(f"  projected:                                 {projection(rate)}")
        services.engine.dispose()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
