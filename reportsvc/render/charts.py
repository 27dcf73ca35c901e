"""Draw report charts (reportmodel.Chart) with matplotlib: PNG for DOCX, SVG for PDF.

Only matplotlib's object API is used (``Figure`` + the Agg canvas), never pyplot, so no GUI
backend is ever selected, no global figure state is kept and nothing warns about backends.
Output is deterministic: no timestamps or software versions in the metadata, a fixed SVG salt.
"""
from __future__ import annotations

import io
import logging
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportsvc.vn import format as formatting
from reportsvc.report.model import Chart
from reportsvc.status import CLASSES

# Metric twins of Times New Roman with Vietnamese coverage, best first.
FONT_FAMILIES = ("Times New Roman", "Liberation Serif", "Tinos")
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/truetype/croscore")
_FONT_FILES = ("LiberationSerif-*.ttf", "Tinos-*.ttf")

WIDTH_IN = 6.3  # 160 mm: the text width of the report page minus a little
PNG_DPI = 200

# Colours for the task status classes (by their Vietnamese label), then a neutral palette.
STATUS_COLOURS = {
    CLASSES["on_time"]: "#2e7d32",
    CLASSES["late"]: "#9ccc65",
    CLASSES["in_progress"]: "#1e88e5",
    CLASSES["not_started"]: "#9e9e9e",
    CLASSES["overdue"]: "#d32f2f",
}
PALETTE = ("#1f4e79", "#f0a030", "#5b9bd5", "#70ad47", "#a5a5a5", "#c00000", "#7030a0")

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()  # rc_context changes matplotlib's global rcParams while a chart is drawn


@lru_cache(maxsize=1)
def font_family() -> str:
    """Return the serif family used in charts, registering Liberation/Tinos files if needed."""
    for family in FONT_FAMILIES:
        if _has_family(family):
            return family
    # The font cache may predate the fonts' installation: register the files directly.
    for folder in _FONT_DIRS:
        for pattern in _FONT_FILES:
            for path in sorted(Path(folder).glob(pattern)):
                font_manager.fontManager.addfont(str(path))
    for family in FONT_FAMILIES[1:]:
        if _has_family(family):
            return family
    _log.warning("no Times New Roman twin found for charts; falling back to DejaVu Serif")
    return "DejaVu Serif"


def _has_family(family: str) -> bool:
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


@contextmanager
def _style() -> Iterator[None]:
    family = font_family()
    rc = {
        "font.family": [family],
        "font.size": 10,
        "svg.hashsalt": "reportsvc",
        "svg.fonttype": "path",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
    }
    with _LOCK, matplotlib.rc_context(rc):
        yield


def _plain(text: str) -> str:
    """Return ``text`` safe for matplotlib: ``$`` would otherwise start mathtext."""
    return str(text).replace("$", r"\$")


def _wrap(label: str, width: int = 32) -> str:
    return "\n".join(textwrap.wrap(_plain(label), width)) or " "


def _draw(chart: Chart) -> Figure:
    categories = [_wrap(c) for c in chart.categories]
    series = [s for s in chart.series if s.values]
    per_category = 0.4 if chart.kind == "stacked_bar" else 0.2 * len(series) + 0.15
    height = 1.3 + sum(max(per_category, 0.17 * (label.count("\n") + 1) + 0.1) for label in categories)
    fig = Figure(figsize=(WIDTH_IN, min(max(height, 2.4), 9.0)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if not categories or not series:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=ax.transAxes)
        return fig
    positions = list(range(len(categories)))
    if chart.kind == "stacked_bar":
        _stacked(ax, positions, series)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        _grouped(ax, positions, series)
    ax.set_yticks(positions, categories)
    ax.invert_yaxis()  # first category on top, as in the tables
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: formatting.number(value)))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    totals = [sum(values) for values in zip(*(_values(s.values, len(positions)) for s in series))] \
        if chart.kind == "stacked_bar" else [max(_values(s.values, len(positions))) for s in series]
    ax.set_xlim(0, max(max(totals, default=0.0), 1.0) * 1.1)
    if chart.unit:
        ax.set_xlabel(_plain(chart.unit))
    if len(series) > 1 or chart.kind == "stacked_bar":
        fig.legend(loc="outside lower center", ncol=min(len(series), 3), frameon=False, fontsize=9)
    return fig


def _colour(name: str, index: int) -> str:
    return STATUS_COLOURS.get(name, PALETTE[index % len(PALETTE)])


def _values(values: list[float], count: int) -> list[float]:
    cleaned = [float(v) if v is not None else 0.0 for v in values[:count]]
    return cleaned + [0.0] * (count - len(cleaned))


def _stacked(ax, positions: list[int], series) -> None:
    left = [0.0] * len(positions)
    for index, item in enumerate(series):
        values = _values(item.values, len(positions))
        bars = ax.barh(positions, values, left=left, height=0.6, label=_plain(item.name),
                       color=_colour(item.name, index), edgecolor="white", linewidth=0.5)
        labels = [formatting.number(v) if v else "" for v in values]
        ax.bar_label(bars, labels=labels, label_type="center", fontsize=8, color="white")
        left = [a + b for a, b in zip(left, values)]


def _grouped(ax, positions: list[int], series) -> None:
    count = len(series)
    height = 0.8 / count
    for index, item in enumerate(series):
        values = _values(item.values, len(positions))
        offsets = [p - 0.4 + height * (index + 0.5) for p in positions]
        bars = ax.barh(offsets, values, height=height * 0.9, label=_plain(item.name),
                       color=PALETTE[index % len(PALETTE)])
        ax.bar_label(bars, labels=[formatting.number(v) for v in values], padding=2, fontsize=8)


def chart_png(chart: Chart, dpi: int = PNG_DPI) -> bytes:
    """Return the chart drawn as a PNG (no timestamp or software tag in its metadata)."""
    with _style():
        fig = _draw(chart)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def chart_svg(chart: Chart) -> bytes:
    """Return the chart drawn as SVG with text as paths (deterministic: no date, fixed ids)."""
    with _style():
        fig = _draw(chart)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()
