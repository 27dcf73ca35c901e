"""Time the renderers on a report with 200 tasks (not a test).

Usage: python benchmarks/bench_render.py [--tasks 200] [--repeat 3] [--out DIR]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout

from reportsvc.render import render  # noqa: E402
from reportsvc.render.view import view_model  # noqa: E402
from reportsvc.render.charts import draw_charts  # noqa: E402
from tests.sample_report import sample_report  # noqa: E402


def _time(label: str, func, repeat: int) -> object:
    """Run ``func`` ``repeat`` times after one warm-up; print the median and best time."""
    result = func()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        timings.append(time.perf_counter() - start)
    print(f"{label:<28} median {statistics.median(timings):6.3f} s   best {min(timings):6.3f} s")
    return result


def main() -> None:
    """Render the benchmark report to each format and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the files here to look at them")
    args = parser.parse_args()

    start = time.perf_counter()
    report = sample_report(tasks=args.tasks)
    print(f"report with {sum(len(a.tasks) for a in report.areas)} tasks, "
          f"{sum(len(t.rows) for t in report.annexes)} annex rows, {len(report.charts)} charts "
          f"(built in {time.perf_counter() - start:.3f} s)")
    _time("view model", lambda: view_model(report), args.repeat)
    _time("charts (PNG for both)", lambda: draw_charts(report.charts), args.repeat)
    _time("docx", lambda: render(report, ["docx"]), args.repeat)
    _time("pdf", lambda: render(report, ["pdf"]), args.repeat)
    files = _time("docx + pdf + pdfa", lambda: render(report, ["docx", "pdf", "pdfa"]), args.repeat)
    for name, data in files.items():
        print(f"  {name:<6} {len(data) / 1024:8.1f} KiB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = args.out / (f"report-{name}.pdf" if name == "pdfa" else f"report.{name}")
            path.write_bytes(data)
        pages = subprocess.run(["pdfinfo", str(args.out / "report.pdf")], capture_output=True, text=True)
        print("".join(line for line in pages.stdout.splitlines(True) if line.startswith("Pages")), end="")


if __name__ == "__main__":
    main()
