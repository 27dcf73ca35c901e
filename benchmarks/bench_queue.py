"""Benchmark: batch throughput on Celery with 2 workers over a real Redis, against the in-process pool.

    .venv/bin/python benchmarks/bench_queue.py [--communes 20] [--format docx,pdf] [--workers 2] [--database-url …]

Not a test; prints figures. Loads the scale demo (tỉnh Minh Sơn, ``--communes`` communes) into a
fresh SQLite file in a temporary folder (or into the given empty database), starts redis-server on a
free port there and ``--workers`` ``reportsvc worker --concurrency 1`` processes, then makes the
communes' 2025 annual reports through the queue (the path of ``report batch --queue``:
reportsvc.services.queue.run_queued), and again in-process on as many processes
(reportsvc.services.batch.run_batch, ``--again``). The clock runs from the first task queued to the
last result, once the workers are up. benchmarks/bench_scale.py measures its Celery figure with ``on_celery``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import redis

from reportsvc.config import Settings, load_settings
from reportsvc.db import engine as db
from reportsvc.demo.scale import load_scale_demo
from reportsvc.periods import parse_period
from reportsvc.services import queue
from reportsvc.services.batch import MADE, Outcome, Selection, run_batch, select_units
from reportsvc.services.runtime import create_services

PERIOD = "2025-Y"
PROVINCE = "99"
WORKER_BOOT = "import sys; from reportsvc.cli.main import main; main(sys.argv[1:], prog_name='reportsvc')"


@dataclass(frozen=True)
class Throughput:
    """Reports made in a number of seconds."""

    label: str
    reports: int
    seconds: float

    @property
    def per_minute(self) -> float:
        """Return reports made per minute."""
        return self.reports * 60 / self.seconds

    def line(self) -> str:
        """Return one line for the benchmark's output."""
        return (f"{self.label:<34} {self.reports:>4} reports in {self.seconds:6.1f} s: "
                f"{self.per_minute:5.1f}/min, {self.seconds / self.reports:.2f} s per report")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server on a free port in ``folder``; return it and its URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise SystemExit("redis-server is not installed: apt-get install redis-server")
    port = _free_port()
    process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return process, url
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("redis-server did not start")


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``reportsvc worker --concurrency 1`` and wait until it takes tasks."""
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", WORKER_BOOT, "worker", "--concurrency", "1"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while b" ready." not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the worker did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    return process


def on_celery(settings: Settings, selection: Selection, formats: list[str], workers: int = 2,
              again: bool = True) -> tuple[float, list[Outcome]]:
    """Make ``selection`` on ``workers`` queue workers of ``settings``' database; return (seconds, outcomes).

    Starts redis-server on a free port in a temporary folder and the workers (``reportsvc worker
    --concurrency 1``), waits until they take tasks, then times the batch from its first task
    queued to its last result; stops them all afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp:
        folder = Path(tmp)
        redis_process, url = _start_redis(folder)
        env = {**os.environ, "DATABASE_URL": settings.database_url, "REPORTSVC_DATA_DIR": str(settings.data_dir),
               "REPORTSVC_BROKER_URL": url, "REPORTSVC_PLUGINS_DIR": settings.plugins_dir}
        started: list[subprocess.Popen[bytes]] = []
        try:
            started = [_start_worker(env, folder / f"worker-{n}.log") for n in range(workers)]
            clock = time.perf_counter()
            outcomes = queue.run_queued(replace(settings, broker_url=url), selection, formats, again=again,
                                        user="benchmark")
            return time.perf_counter() - clock, outcomes
        finally:
            for process in started:
                os.killpg(process.pid, signal.SIGTERM)
            for process in started:
                process.wait(60)
            redis_process.terminate()
            redis_process.wait(10)


def celery_throughput(settings: Settings, formats: list[str], workers: int = 2) -> Throughput:
    """Make the communes' reports of the loaded scale demo on ``workers`` queue workers; return the throughput."""
    services = create_services(settings)
    selection = select_units(services, parse_period(PERIOD), PROVINCE, ("xa", "phuong"))
    services.engine.dispose()
    seconds, outcomes = on_celery(settings, selection, formats, workers, again=False)
    made = sum(outcome.state == MADE for outcome in outcomes)
    if made != len(selection.todo):
        raise SystemExit(f"only {made}/{len(selection.todo)} reports made: {outcomes[:3]}")
    return Throughput(f"Celery, {workers} workers x 1 process", made, seconds)


def in_process_throughput(database_url: str, formats: list[str], jobs: int = 2) -> Throughput:
    """Make the communes' reports again (``again``) on the in-process pool of ``jobs`` processes."""
    settings = load_settings({"database_url": database_url})
    services = create_services(settings)
    selection = select_units(services, parse_period(PERIOD), PROVINCE, ("xa", "phuong"), again=True)
    services.engine.dispose()
    clock = time.perf_counter()
    outcomes = run_batch(settings, selection, formats, jobs=jobs, again=True, user="benchmark")
    seconds = time.perf_counter() - clock
    return Throughput(f"in-process pool, {jobs} processes", sum(o.state == MADE for o in outcomes), seconds)


def main() -> None:
    """Parse the options, load the demo, run both batches and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=20)
    parser.add_argument("--format", default="docx,pdf")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    formats = [part.strip() for part in args.format.split(",") if part.strip()]
    with tempfile.TemporaryDirectory(prefix="bench-queue-") as tmp:
        folder = Path(tmp)
        url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        services = create_services(load_settings({"database_url": url, "data_dir": folder / "data"}))
        with services.transaction() as session:
            load_scale_demo(session, services.registry, args.communes)
        services.engine.dispose()
        engine.dispose()
        print(f"{args.communes} communes, {PERIOD}, {', '.join(formats)}; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        settings = load_settings({"database_url": url, "data_dir": folder / "data"})
        print(celery_throughput(settings, formats, args.workers).line())
        print(in_process_throughput(url, formats, args.workers).line())


if __name__ == "__main__":
    main()
