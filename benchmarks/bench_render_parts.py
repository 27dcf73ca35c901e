"""Where the render time goes, for one commune's report and the demo province's annual report (not a test).

    .venv/bin/python benchmarks/bench_render_parts.py [--repeat 3] [--unit HT-TH-TD] [--period 2024-Y]
                                                      [--no-soffice] [--no-process] [--chart-forms] [--keep DIR]

It loads the demo locality into a temporary data directory (``reportsvc init-db`` and ``reportsvc demo``,
as separate processes), then:

1. in-process, builds each report model with ``build_report`` and times ``render(report, ["docx"])`` and
   ``render(report, ["pdf"])``, split into parts by wrapping the functions that do each step (the time
   of a part is its own time, without the parts it calls):

   - ``charts``: matplotlib drawing (whatever the chart functions of reportsvc.render.charts are);
   - ``docx template``: docxtpl rendering and saving, and the zip normalisation;
   - ``html template``: the Jinja HTML of the PDF;
   - ``weasyprint css``: parsing the stylesheet;
   - ``weasyprint layout``: ``HTML(...).render()`` (HTML parsing, style cascade, layout);
   - ``pdf write``: ``Document.write_pdf`` (drawing, font subsetting, compression);
   - ``other``: the rest (view model, glue).

   The first call in the process ("cold": font configuration, matplotlib's font cache, and the imports
   the renderer makes lazily, i.e. matplotlib since issue 16; docxtpl and WeasyPrint are imported by the
   benchmark itself) is printed apart from the median of ``--repeat`` warm calls, with the CPU time of the
   whole call (the fairer figure on a shared machine);
2. as whole processes, ``reportsvc report generate --format pdf`` (and ``docx``, ``docx,pdf``) for each
   unit, and ``soffice --headless --convert-to pdf`` of the same DOCX (a warm LibreOffice profile), in wall
   and CPU time (user + system of the process and its children);
3. with ``--chart-forms``, what the report's charts cost to draw and to embed in the PDF as (a) PNG,
   (b) SVG with text as text, (c) HTML/CSS bars (b and c still need the PNG for the DOCX);
4. the import cost of ``reportsvc --help`` (``python -X importtime``) and its wall time.

Every figure is the median of ``--repeat`` runs; the machine may be shared, so run it more than once.
To measure another version of the renderer, put its tree first on PYTHONPATH (with ``reportsvc_templates``
and ``reportsvc_plugins`` links to its report_templates/ and plugins/) and run this script from outside the
checkout.
"""
from __future__ import annotations

import argparse
import functools
import io
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPORTSVC = str(BIN / "reportsvc")


# --------------------------------------------------------------------------------------------
# Self-time accounting of wrapped functions
# --------------------------------------------------------------------------------------------

class Parts:
    """Exclusive (self) time per part of every wrapped function called while ``active``."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list[float]] = []  # [start, time of wrapped children]

    def reset(self) -> None:
        self.totals.clear()
        self.calls.clear()

    def wrap(self, owner: object, name: str, part: str) -> None:
        """Replace ``owner.name`` by a wrapper that adds its own time to ``part`` (if it exists)."""
        original = getattr(owner, name, None)
        if original is None or getattr(original, "_bench_wrapped", False):
            return
        parts = self

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            frame = [time.perf_counter(), 0.0]
            parts._stack.append(frame)
            try:
                return original(*args, **kwargs)
            finally:
                parts._stack.pop()
                elapsed = time.perf_counter() - frame[0]
                parts.totals[part] += elapsed - frame[1]
                parts.calls[name] += 1
                if parts._stack:
                    parts._stack[-1][1] += elapsed

        wrapper._bench_wrapped = True  # type: ignore[attr-defined]
        setattr(owner, name, wrapper)


def instrument(parts: Parts) -> None:
    """Wrap the functions of each render step, before and after the changes of issue 16."""
    import docxtpl
    import weasyprint
    import weasyprint.document

    import reportsvc.render as render_pkg
    from reportsvc.render import charts, docx, pdf

    chart_names = [name for name in ("chart_png", "chart_svg", "chart_image", "draw_charts", "chart_images",
                                     "draw_chart", "_png", "_svg")
                   if callable(getattr(charts, name, None))]
    for module in (charts, docx, pdf, render_pkg):
        for name in chart_names:
            if hasattr(module, name):
                parts.wrap(module, name, "charts")
    parts.wrap(docxtpl.DocxTemplate, "render", "docx template")
    parts.wrap(docxtpl.DocxTemplate, "save", "docx template")
    parts.wrap(docxtpl.DocxTemplate, "__init__", "docx template")
    parts.wrap(docx, "normalize_zip", "docx template")
    parts.wrap(pdf, "render_html", "html template")
    parts.wrap(weasyprint.CSS, "__init__", "weasyprint css")
    parts.wrap(weasyprint.HTML, "render", "weasyprint layout")
    parts.wrap(weasyprint.document.Document, "write_pdf", "pdf write")


PART_ORDER = ("charts", "docx template", "html template", "weasyprint css", "weasyprint layout", "pdf write")


def measure(parts: Parts, func, repeat: int) -> tuple[dict[str, float], dict[str, float], object]:
    """Return the cold call's parts, the median warm parts (with "total" and "other") and the result."""
    runs = []
    result = None
    for _ in range(repeat + 1):
        parts.reset()
        start, cpu = time.perf_counter(), time.process_time()
        result = func()
        total = time.perf_counter() - start
        row = {name: parts.totals.get(name, 0.0) for name in PART_ORDER}
        row["other"] = total - sum(row.values())
        row["total"] = total
        row["total CPU"] = time.process_time() - cpu
        # one matplotlib drawing per call of these (before issue 16: chart_png and chart_svg; after: chart_image)
        row["_chart_calls"] = sum(parts.calls.get(name, 0) for name in ("chart_png", "chart_svg", "chart_image"))
        runs.append(row)
    cold, warm = runs[0], runs[1:]
    median = {key: statistics.median(run[key] for run in warm) for key in cold}
    return cold, median, result


def print_parts(label: str, cold: dict[str, float], warm: dict[str, float]) -> None:
    print(f"  {label}")
    print(f"    {'part':<20} {'cold':>8} {'warm':>8}")
    for key in (*PART_ORDER, "other", "total", "total CPU"):
        if key.startswith("total") or cold[key] > 0.0005 or warm[key] > 0.0005:
            print(f"    {key:<20} {cold[key]:8.3f} {warm[key]:8.3f}")
    print(f"    charts drawn by matplotlib per render: {warm['_chart_calls']:.0f}")


# --------------------------------------------------------------------------------------------
# Chart forms (issue 16, item 2): what each form costs to draw and to embed in the PDF
# --------------------------------------------------------------------------------------------

def _bars_html(chart) -> str:
    """The chart as HTML/CSS bars (form c), roughly as the PNG shows it: a table of label | bar(s)."""
    from html import escape

    from reportsvc.render.charts import PALETTE, _colour, _values
    from reportsvc.vn.format import number

    series = [s for s in chart.series if s.values]
    count = len(chart.categories)
    stacked = chart.kind == "stacked_bar"
    values = [_values(s.values, count) for s in series]
    top = max([sum(col) for col in zip(*values)] if stacked else [max(v, default=0) for v in values] or [1]) or 1
    rows = []
    for index, label in enumerate(chart.categories):
        if stacked:
            bars = "".join(
                f'<span class="bar" style="width:{v / top * 90:.1f}%;background:{_colour(s.name, i)}">'
                f'{number(v) if v else ""}</span>' for i, (s, v) in enumerate(zip(series, (c[index] for c in values))))
            rows.append(f'<tr><td class="lab">{escape(label)}</td><td>{bars}</td></tr>')
        else:
            bars = "".join(
                f'<div><span class="bar" style="width:{v[index] / top * 85:.1f}%;background:{PALETTE[i]}"></span>'
                f' {number(v[index])}</div>' for i, v in enumerate(values))
            rows.append(f'<tr><td class="lab">{escape(label)}</td><td>{bars}</td></tr>')
    legend = " ".join(f'<span class="key" style="background:{_colour(s.name, i) if stacked else PALETTE[i]}"></span>'
                      f'{escape(s.name)}' for i, s in enumerate(series))
    return (f'<figure class="chart"><figcaption>{escape(chart.title)}</figcaption><table class="bars">'
            + "".join(rows) + f'</table><p class="legend">{legend}</p></figure>')


BARS_CSS = """<style>
table.bars { width: 160mm; border-collapse: collapse; font-size: 10pt; line-height: 1.1; }
table.bars td { padding: 1pt 2pt; vertical-align: middle; border-left: 0.5pt solid #000; }
table.bars td.lab { width: 55mm; text-align: right; border: none; }
table.bars .bar { display: inline-block; height: 9pt; color: #fff; font-size: 8pt; text-align: center; }
p.legend { font-size: 9pt; text-align: center; } p.legend .key { display: inline-block; width: 7mm; height: 3mm; }
</style>"""


def chart_forms(report, repeat: int) -> None:
    """Draw and embed the report's charts as (a) PNG, (b) SVG with text as text, (c) HTML/CSS bars; CPU times."""
    import base64

    from weasyprint import HTML

    from reportsvc.render import charts as charts_module, pdf
    from reportsvc.render.view import TEMPLATE_DIR, view_model

    view = view_model(report)
    plain = pdf.render_html(view, [])

    def layout(html: str) -> float:
        start = time.process_time()
        HTML(string=html, base_url=str(TEMPLATE_DIR), url_fetcher=pdf._fetcher()).render(
            stylesheets=[pdf.stylesheet(TEMPLATE_DIR / "report.css")], font_config=pdf.font_config()).write_pdf()
        return time.process_time() - start

    def with_figures(figures: str) -> str:
        return plain.replace("</body>", figures + "</body>")

    def svg(chart) -> bytes:
        mpl = charts_module._mpl()
        with charts_module._LOCK, mpl.matplotlib.rc_context({**charts_module._rc(), "svg.fonttype": "none",
                                                             "svg.hashsalt": "reportsvc"}):
            figure, _height = charts_module._draw(chart, 72)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return buffer.getvalue()

    def img(src: str, title: str) -> str:
        return f'<figure class="chart"><figcaption>{title}</figcaption><img src="{src}" style="width:160mm"></figure>'

    def cpu(func) -> tuple[float, object]:
        times, result = [], None
        for _ in range(repeat + 1):
            start = time.process_time()
            result = func()
            times.append(time.process_time() - start)
        return statistics.median(times[1:]), result

    base, _ = cpu(lambda: layout(plain))
    base = statistics.median(layout(plain) for _ in range(repeat))
    rows = []
    draw, pngs = cpu(lambda: charts_module.draw_charts(report.charts))
    html = with_figures("".join(img(pdf.chart_src(c), c.title) for c in pngs))
    rows.append(("(a) PNG 200 dpi, both files", draw, statistics.median(layout(html) for _ in range(repeat)) - base))
    draw, svgs = cpu(lambda: [svg(c) for c in report.charts])
    html = with_figures("".join(img("data:image/svg+xml;base64," + base64.b64encode(data).decode(), c.title)
                                for data, c in zip(svgs, report.charts)))
    rows.append(("(b) SVG, text as text (+PNG for DOCX)", draw, statistics.median(layout(html) for _ in range(repeat)) - base))
    draw, bars = cpu(lambda: "".join(_bars_html(c) for c in report.charts))
    html = with_figures(bars).replace("</head>", BARS_CSS + "</head>")
    rows.append(("(c) HTML/CSS bars (+PNG for DOCX)", draw, statistics.median(layout(html) for _ in range(repeat)) - base))
    print(f"  chart forms, CPU seconds for the report's {len(report.charts)} charts (PDF without charts: {base:.3f} s)")
    print(f"    {'form':<40} {'draw':>7} {'PDF embed':>10} {'DOCX+PDF':>9}")
    png_draw = rows[0][1]
    for label, draw, embed in rows:
        both = draw + embed + (0 if label.startswith("(a)") else png_draw)
        print(f"    {label:<40} {draw:7.3f} {embed:10.3f} {both:9.3f}")


# --------------------------------------------------------------------------------------------
# Whole processes
# --------------------------------------------------------------------------------------------

def wall(cmd: list[str], env: dict[str, str], repeat: int, warmup: int = 1) -> tuple[float, list[float], float]:
    """Run ``cmd`` ``warmup`` + ``repeat`` times; return the median wall time, the wall times and the median
    CPU time (user + system of the process and its children: the fairer figure on a shared machine)."""
    times, cpus = [], []
    for index in range(warmup + repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(cmd, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr.strip()[-500:]}")
        if index >= warmup:
            times.append(elapsed)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), times, statistics.median(cpus)


def fmt_runs(times: list[float], cpu: float) -> str:
    return "wall [" + ", ".join(f"{t:.2f}" for t in times) + f"], CPU {cpu:.2f} s"


def import_time(env: dict[str, str]) -> list[tuple[str, int]]:
    """Return the biggest cumulative import costs of ``reportsvc --help`` (microseconds)."""
    code = "import sys; from reportsvc.cli.main import main; sys.argv=['reportsvc','--help']; main()"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                            capture_output=True, text=True)
    rows = []
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)", line)
        if match:
            rows.append((match.group(4), int(match.group(2)), len(match.group(3))))
    top = [(name, cumulative) for name, cumulative, depth in rows if depth <= 1]
    heavy = {name: cumulative for name, cumulative, _ in rows
             if name in ("weasyprint", "matplotlib", "docxtpl", "docx", "flask", "sqlalchemy", "numpy", "PIL",
                         "reportsvc.render", "reportsvc.cli.main")}
    print(f"  loaded: " + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in sorted(heavy.items())))
    return sorted(top, key=lambda item: -item[1])[:6]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unit", action="append", help="units to report on (default: HT-TH-TD and HT)")
    parser.add_argument("--period", default="2024-Y")
    parser.add_argument("--no-soffice", action="store_true")
    parser.add_argument("--no-process", action="store_true", help="skip the whole-process timings")
    parser.add_argument("--keep", type=Path, help="write the rendered files here")
    parser.add_argument("--chart-forms", action="store_true",
                        help="also compare the chart forms: PNG, SVG with text as text, HTML/CSS bars")
    args = parser.parse_args()
    units = args.unit or ["HT-TH-TD", "HT"]

    data_dir = Path(tempfile.mkdtemp(prefix="bench-render-"))
    env = {**os.environ, "REPORTSVC_DATA_DIR": str(data_dir)}
    os.environ["REPORTSVC_DATA_DIR"] = str(data_dir)
    try:
        for command in (["init-db"], ["demo"]):
            subprocess.run([REPORTSVC, *command], env=env, check=True, capture_output=True)
        print(f"demo loaded in {data_dir}; {os.cpu_count()} CPUs, load average "
              f"{' '.join(f'{v:.2f}' for v in os.getloadavg())} (other processes may be running)")

        start = time.perf_counter()
        from reportsvc.config import load_settings
        from reportsvc.periods import parse_period
        from reportsvc.render import render
        from reportsvc.report.build import build_report
        from reportsvc.services.runtime import create_services
        print(f"imports (reportsvc.render, build, runtime): {time.perf_counter() - start:.3f} s")

        parts = Parts()
        instrument(parts)
        services = create_services(load_settings())
        period = parse_period(args.period)
        docs: dict[str, Path] = {}
        for unit in units:
            with services.sessions() as session:
                times = []
                for _ in range(args.repeat + 1):
                    start = time.perf_counter()
                    report = build_report(session, services.registry, unit, period)
                    times.append(time.perf_counter() - start)
            print(f"\n{unit} {args.period}: {len(report.annexes)} annexes "
                  f"({sum(len(a.rows) for a in report.annexes)} rows), {len(report.charts)} charts")
            print(f"  build model: cold {times[0]:.3f} s, warm median {statistics.median(times[1:]):.3f} s")
            cold, warm, files = measure(parts, lambda: render(report, ["docx"]), args.repeat)
            print_parts('render(report, ["docx"])', cold, warm)
            cold, warm, pdf_files = measure(parts, lambda: render(report, ["pdf"]), args.repeat)
            print_parts('render(report, ["pdf"])', cold, warm)
            cold, warm, _ = measure(parts, lambda: render(report, ["docx", "pdf"]), args.repeat)
            print_parts('render(report, ["docx", "pdf"])', cold, warm)
            print(f"  sizes: DOCX {len(files['docx']) / 1024:.0f} KiB, PDF {len(pdf_files['pdf']) / 1024:.0f} KiB")
            if args.chart_forms:
                chart_forms(report, args.repeat)
            doc_dir = data_dir / "docx" / unit
            doc_dir.mkdir(parents=True)
            docs[unit] = doc_dir / "report.docx"
            docs[unit].write_bytes(files["docx"])
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"{unit}.docx").write_bytes(files["docx"])
                (args.keep / f"{unit}.pdf").write_bytes(pdf_files["pdf"])

        if args.no_process:
            return
        print("\nwhole processes (median of %d after one warm-up run)" % args.repeat)
        out = data_dir / "out"
        for unit in units:
            for formats in ("pdf", "docx", "docx,pdf"):
                median, times, cpu = wall([REPORTSVC, "report", "generate", "--unit", unit, "--period",
                                           args.period, "--format", formats, "--out", str(out)], env, args.repeat)
                print(f"  reportsvc report generate --unit {unit:<8} --format {formats:<9} {median:6.2f} s  "
                      f"{fmt_runs(times, cpu)}")
            soffice = shutil.which("soffice") or shutil.which("libreoffice")
            if soffice and not args.no_soffice:
                profile = (data_dir / "lo-profile").as_uri()
                median, times, cpu = wall([soffice, f"-env:UserInstallation={profile}", "--headless",
                                           "--convert-to", "pdf", "--outdir", str(data_dir / "lo"), str(docs[unit])],
                                          env, args.repeat)
                print(f"  soffice --headless --convert-to pdf, {unit + ' DOCX':<31} {median:6.2f} s  "
                      f"{fmt_runs(times, cpu)}")
        median, times, cpu = wall([REPORTSVC, "--help"], env, args.repeat)
        print(f"  {'reportsvc --help':<67} {median:6.2f} s  {fmt_runs(times, cpu)}")
        print("\nimport time of reportsvc --help (python -X importtime, biggest top-level imports)")
        for name, cumulative in import_time(env):
            print(f"  {name:<40} {cumulative / 1000:7.0f} ms")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
