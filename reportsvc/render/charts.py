"""Draw report charts (report model Chart) once per report: a PNG at print resolution both renderers embed.

:func:`draw_charts` turns a report's charts into :class:`ChartImage` objects (the PNG and its size on
the page); the DOCX renderer inserts them as inline pictures and the PDF renderer as ``<img>``. A chart is
drawn once per ``render()`` call whatever the formats (issue 16: measured against a light SVG, which
WeasyPrint must still draw and the DOCX cannot embed without a PNG, and HTML/CSS bars, which still need the
PNG for the DOCX).

Drawing stays cheap: matplotlib is imported only when a chart is drawn (``reportsvc --help`` and reports
without charts never load it); only its object API and the Agg canvas are used (no pyplot, no GUI
backend); the layout is computed here from measured label widths instead of constrained layout (which
measured every artist twice); bars are one polygon collection per series and the legend is drawn by
hand (no Rectangle patch per bar, no Legend machinery); the font family and properties are looked up once
per process. Output is deterministic: an RGB PNG (no alpha, which WeasyPrint would split into a soft
mask) without timestamps or software tags.
"""
from __future__ import annotations

import io
import logging
import math
import textwrap
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reportsvc.report.model import Chart
from reportsvc.status import CLASSES
from reportsvc.vn import format as formatting

# Metric twins of Times New Roman with Vietnamese coverage, best first.
FONT_FAMILIES = ("Times New Roman", "Liberation Serif", "Tinos")
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/truetype/croscore")
_FONT_FILES = ("LiberationSerif-*.ttf", "Tinos-*.ttf")

WIDTH_IN = 6.3  # 160 mm: the text width of the report page minus a little
PNG_DPI = 200  # print resolution; 160 mm wide = 1260 px
MM_PER_IN = 25.4
PNG_COMPRESS_LEVEL = 3  # zlib level: measured 25-30 % faster to encode than Pillow's 6, sizes within ±20 %

FONT_SIZE = 10  # category labels, ticks, unit
VALUE_SIZE = 8  # the numbers on the bars
LEGEND_SIZE = 9
_PT = 1 / 72  # inches per point
_LINE = 1.2  # matplotlib's line spacing

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


@dataclass(frozen=True)
class ChartImage:
    """A chart drawn for the page: its key and title, the PNG and the size it is printed at."""

    key: str
    title: str
    png: bytes
    width_mm: float
    height_mm: float


def draw_charts(charts: Iterable[Chart], dpi: int = PNG_DPI) -> list[ChartImage]:
    """Draw each chart once; the DOCX and the PDF renderers both embed the result."""
    return [chart_image(chart, dpi) for chart in charts]


def chart_image(chart: Chart, dpi: int = PNG_DPI) -> ChartImage:
    """Draw one chart as a :class:`ChartImage` (PNG at ``dpi``, printed 160 mm wide)."""
    png, height_in = _render(chart, dpi)
    return ChartImage(key=chart.key, title=str(chart.title), png=png, width_mm=WIDTH_IN * MM_PER_IN,
                      height_mm=round(height_in * MM_PER_IN, 2))


def chart_png(chart: Chart, dpi: int = PNG_DPI) -> bytes:
    """Return the chart drawn as an RGB PNG (no timestamp or software tag in its metadata)."""
    return _render(chart, dpi)[0]


# --------------------------------------------------------------------------------------------
# Fonts and matplotlib, loaded once per process on first use
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _mpl() -> Any:
    """Import matplotlib's object API on first use (not at import: commands without charts skip it)."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    from matplotlib.transforms import blended_transform_factory, offset_copy

    return SimpleNamespace(matplotlib=matplotlib, font_manager=font_manager, FigureCanvasAgg=FigureCanvasAgg,
                           PolyCollection=PolyCollection, Figure=Figure, Rectangle=Rectangle,
                           FuncFormatter=FuncFormatter, MaxNLocator=MaxNLocator,
                           blended_transform_factory=blended_transform_factory, offset_copy=offset_copy)


@lru_cache(maxsize=1)
def font_family() -> str:
    """Return the serif family used in charts, registering Liberation/Tinos files if needed (once per process)."""
    font_manager = _mpl().font_manager
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
    font_manager = _mpl().font_manager
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8)
def _font(size: float) -> Any:
    """The chart font at ``size`` points (FontProperties looked up once per size)."""
    return _mpl().font_manager.FontProperties(family=font_family(), size=size)


@lru_cache(maxsize=1)
def _rc() -> dict[str, Any]:
    return {
        "font.family": [font_family()],
        "font.size": FONT_SIZE,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
        "text.hinting": "no_hinting",  # measured fastest; at 200 dpi hinting does not show
    }


@lru_cache(maxsize=4096)
def _number(value: float) -> str:
    """Babel's vi_VN number ("1.234,5"), cached: ticks and bars repeat the same few values."""
    return formatting.number(value)


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------

def _plain(text: str) -> str:
    """Return ``text`` safe for matplotlib: ``$`` would otherwise start mathtext."""
    return str(text).replace("$", r"\$")


def _wrap(label: str, width: int = 32) -> str:
    return "\n".join(textwrap.wrap(_plain(label), width)) or " "


def _colour(name: str, index: int) -> str:
    return STATUS_COLOURS.get(name, PALETTE[index % len(PALETTE)])


def _values(values: list[float], count: int) -> list[float]:
    cleaned = [float(v) if v is not None else 0.0 for v in values[:count]]
    return cleaned + [0.0] * (count - len(cleaned))


def _boxes(lefts: list[float], centres: list[float], widths: list[float], height: float) -> list:
    half = height / 2
    return [[(x, y - half), (x + w, y - half), (x + w, y + half), (x, y + half)]
            for x, y, w in zip(lefts, centres, widths)]


class _Measure:
    """Text widths in inches, measured with the Agg renderer at the chart's resolution."""

    def __init__(self, canvas: Any, dpi: int) -> None:
        self._renderer = canvas.get_renderer()
        self._dpi = dpi

    def width(self, text: str, size: float) -> float:
        font = _font(size)
        return max(self._renderer.get_text_width_height_descent(line, font, False)[0]
                   for line in text.split("\n")) / self._dpi


def _render(chart: Chart, dpi: int) -> tuple[bytes, float]:
    """Draw ``chart``; return the PNG and the figure's height in inches (its width is WIDTH_IN)."""
    mpl = _mpl()
    with _LOCK, mpl.matplotlib.rc_context(_rc()):
        figure, height = _draw(chart, dpi)
        figure.canvas.draw()
        from PIL import Image

        width_px, height_px = figure.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width_px, height_px), figure.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(dpi, dpi))
    return buffer.getvalue(), height


def _draw(chart: Chart, dpi: int) -> tuple[Any, float]:
    mpl = _mpl()
    categories = [_wrap(c) for c in chart.categories]
    series = [s for s in chart.series if s.values]
    stacked = chart.kind == "stacked_bar"
    per_category = 0.4 if stacked else 0.2 * len(series) + 0.15
    plot_height = sum(max(per_category, 0.17 * (label.count("\n") + 1) + 0.1) for label in categories)

    figure = mpl.Figure(figsize=(WIDTH_IN, 3.0), dpi=dpi, facecolor="white")
    canvas = mpl.FigureCanvasAgg(figure)
    measure = _Measure(canvas, dpi)
    legend = [(_colour(s.name, i) if stacked else PALETTE[i % len(PALETTE)], _plain(s.name))
              for i, s in enumerate(series)] if (len(series) > 1 or stacked) else []
    columns = min(len(legend), 3)
    legend_rows = math.ceil(len(legend) / columns) if legend else 0

    # Margins in inches: labels on the left, ticks, unit and legend below.
    gap = 0.06
    left = max((measure.width(c, FONT_SIZE) for c in categories), default=0.0) + 7 * _PT + 0.1
    bottom = gap + (FONT_SIZE * _LINE + 7.5) * _PT
    if chart.unit:
        bottom += (FONT_SIZE * _LINE + 4) * _PT
    legend_row = LEGEND_SIZE * _LINE * _PT + 0.05
    if legend_rows:
        bottom += legend_rows * legend_row + 0.1
    top, right = 0.12, 0.25
    height = min(max(top + max(plot_height, 0.8) + bottom, 2.4), 9.0)
    figure.set_size_inches(WIDTH_IN, height)
    axes = figure.add_axes((left / WIDTH_IN, bottom / height, 1 - (left + right) / WIDTH_IN,
                            1 - (top + bottom) / height))

    if not categories or not series:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=axes.transAxes,
                  fontproperties=_font(FONT_SIZE))
        return figure, height

    count = len(categories)
    positions = list(range(count))
    if stacked:
        totals = _stacked(axes, positions, series)
        axes.xaxis.set_major_locator(mpl.MaxNLocator(integer=True))
    else:
        totals = _grouped(axes, positions, series)
    # Category labels as plain texts (no y ticks: a Tick is several artists each).
    axes.set_yticks([])
    labels = mpl.blended_transform_factory(axes.transAxes, axes.transData)
    pad = 4 * _PT / ((1 - (left + right) / WIDTH_IN) * WIDTH_IN)  # 4 pt left of the axis, in axes units
    for position, label in zip(positions, categories):
        axes.text(-pad, position, label, ha="right", va="center", ma="right", transform=labels,
                  fontproperties=_font(FONT_SIZE))
    axes.set_ylim(count - 0.5, -0.5)  # first category on top, as in the tables
    axes.xaxis.set_major_formatter(mpl.FuncFormatter(lambda value, _pos: _number(value)))
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.set_xlim(0, max(max(totals, default=0.0), 1.0) * 1.1)
    if chart.unit:
        axes.set_xlabel(_plain(chart.unit), fontproperties=_font(FONT_SIZE))
    if legend:
        _legend(figure, measure, legend, columns, gap, legend_row, height)
    return figure, height


def _stacked(axes: Any, positions: list[int], series: list) -> list[float]:
    collection = _mpl().PolyCollection
    left = [0.0] * len(positions)
    for index, item in enumerate(series):
        values = _values(item.values, len(positions))
        axes.add_collection(collection(_boxes(left, positions, values, 0.6), facecolors=_colour(item.name, index),
                                       edgecolors="white", linewidths=0.5), autolim=False)
        for position, value, start in zip(positions, values, left):
            if value:
                axes.text(start + value / 2, position, _number(value), ha="center", va="center", color="white",
                          fontproperties=_font(VALUE_SIZE))
        left = [a + b for a, b in zip(left, values)]
    return left


def _grouped(axes: Any, positions: list[int], series: list) -> list[float]:
    mpl = _mpl()
    count = len(series)
    height = 0.8 / count
    after_bar = mpl.offset_copy(axes.transData, fig=axes.figure, x=2, y=0, units="points")  # 2 pt right of a bar
    totals = []
    for index, item in enumerate(series):
        values = _values(item.values, len(positions))
        offsets = [p - 0.4 + height * (index + 0.5) for p in positions]
        axes.add_collection(mpl.PolyCollection(_boxes([0.0] * len(values), offsets, values, height * 0.9),
                                               facecolors=PALETTE[index % len(PALETTE)], edgecolors="none"),
                            autolim=False)
        for offset, value in zip(offsets, values):
            axes.text(value, offset, _number(value), ha="left", va="center", transform=after_bar,
                      fontproperties=_font(VALUE_SIZE))
        totals.append(max(values, default=0.0))
    return totals


def _legend(figure: Any, measure: _Measure, entries: list[tuple[str, str]], columns: int, gap: float,
            row_height: float, height: float) -> None:
    """A centred legend under the plot: a colour swatch and the series name, ``columns`` per row."""
    swatch, space = 0.28, 0.08
    widths = [0.0] * columns
    for index, (_colour_, name) in enumerate(entries):
        widths[index % columns] = max(widths[index % columns], swatch + space + measure.width(name, LEGEND_SIZE) + 0.3)
    start = (WIDTH_IN - sum(widths) + 0.3) / 2
    rows = math.ceil(len(entries) / columns)
    for index, (colour, name) in enumerate(entries):
        row, column = divmod(index, columns)
        x = start + sum(widths[:column])
        y = gap + (rows - 1 - row + 0.5) * row_height
        figure.add_artist(_mpl().Rectangle((x / WIDTH_IN, (y - 0.05) / height), swatch / WIDTH_IN, 0.1 / height,
                                           facecolor=colour, edgecolor="none", transform=figure.transFigure))
        figure.text((x + swatch + space) / WIDTH_IN, y / height, name, ha="left", va="center",
                    fontproperties=_font(LEGEND_SIZE))
