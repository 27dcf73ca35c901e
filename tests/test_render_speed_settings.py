"""What makes rendering fast, as behaviour (issue 16; the figures are in benchmarks/bench_render_parts.py).

Charts are drawn once per render as PNGs that the DOCX and the PDF both embed; WeasyPrint's font
configuration and the parsed stylesheet are made once per thread; the renderers' heavy libraries are
imported only by the formats that need them; the garbage collector is paused during a render and
always restored.
"""
from __future__ import annotations

import dataclasses
import gc
import io
import re
import subprocess
import sys
import threading
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from PIL import Image

from reportsvc.render import RenderError, render
from reportsvc.render import charts as charts_module
from reportsvc.render import pdf as pdf_renderer
from reportsvc.report.model import Chart, ChartSeries, Report
from tests.sample_report import sample_report

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample() -> Report:
    """The hand-built sample report (two charts)."""
    return sample_report()


def _pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    """Width and height of every image XObject of a PDF (dictionaries may sit in object streams)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end():match.end() + 2_000_000]))
        except zlib.error:
            continue
    text = b"\n".join(chunks)
    images = []
    for match in re.finditer(rb"/Subtype\s*/Image", text):
        window = text[max(0, match.start() - 400):match.end() + 400]
        width, height = re.search(rb"/Width\s+(\d+)", window), re.search(rb"/Height\s+(\d+)", window)
        if width and height:
            images.append((int(width.group(1)), int(height.group(1))))
    return images


# --------------------------------------------------------------------------------------------
# Charts: one drawing, two files
# --------------------------------------------------------------------------------------------

def test_each_chart_is_drawn_once_for_docx_pdf_and_pdfa(sample: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """render(report, [docx, pdf, pdfa]) draws every chart exactly once."""
    drawn: list[str] = []
    original = charts_module.chart_image

    def counting(chart: Chart, dpi: int = charts_module.PNG_DPI) -> charts_module.ChartImage:
        drawn.append(chart.key)
        return original(chart, dpi)

    monkeypatch.setattr(charts_module, "chart_image", counting)
    files = render(sample, ["docx", "pdf", "pdfa"])
    assert sorted(drawn) == sorted(chart.key for chart in sample.charts)
    assert set(files) == {"docx", "pdf", "pdfa"}


def test_the_same_png_is_in_the_docx_and_the_pdf(sample: Report) -> None:
    """The DOCX holds each chart as a PNG image part under its title; the PDF holds the same pixels and the title."""
    files = render(sample, ["docx", "pdf"])
    package = zipfile.ZipFile(io.BytesIO(files["docx"]))
    media = [name for name in package.namelist() if name.startswith("word/media/")]
    assert len(media) == len(sample.charts)
    sizes = []
    for name in media:
        image = Image.open(io.BytesIO(package.read(name)))
        assert image.format == "PNG" and image.mode == "RGB", (name, image.format, image.mode)
        assert image.width == round(charts_module.WIDTH_IN * charts_module.PNG_DPI)  # print resolution
        assert round(image.info["dpi"][0]) == charts_module.PNG_DPI
        sizes.append(image.size)
    document = docx.Document(io.BytesIO(files["docx"]))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for chart in sample.charts:
        assert chart.title in texts
    assert sorted(_pdf_images(files["pdf"])) == sorted(sizes), "the PDF embeds the same images"


def test_chart_png_is_deterministic_and_readable(sample: Report) -> None:
    """Drawing a chart twice gives the same bytes; a chart without data still draws."""
    chart = sample.charts[0]
    assert charts_module.chart_png(chart) == charts_module.chart_png(chart)
    empty = Chart(key="empty", title="Không có gì", kind="bar", categories=[], series=[])
    assert Image.open(io.BytesIO(charts_module.chart_png(empty))).format == "PNG"
    hostile = Chart(key="x", title="$x$", kind="bar", categories=["Tỷ lệ $100 \\frac{a}{b}", "Ủy ban"],
                    series=[ChartSeries("Kế hoạch $", [1.0, 2.0]), ChartSeries("Thực hiện", [None, 3.0])])
    assert Image.open(io.BytesIO(charts_module.chart_png(hostile))).mode == "RGB"


def test_charts_use_a_times_new_roman_twin_with_vietnamese_glyphs() -> None:
    """The chart font is Times New Roman or a metric twin (Liberation Serif, Tinos), never the DejaVu fallback."""
    family = charts_module.font_family()
    assert family in charts_module.FONT_FAMILIES
    font_manager = charts_module._mpl().font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    charmap = FT2Font(path).get_charmap()
    assert all(ord(char) in charmap for char in "ẢẤỦỶỹđơưĐ")


def test_a_chart_that_cannot_be_drawn_is_a_render_error(sample: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside matplotlib is one Vietnamese RenderError, not a crash."""
    def broken(chart: Chart, dpi: int = 0) -> None:
        raise ValueError("hỏng")

    monkeypatch.setattr(charts_module, "chart_image", broken)
    with pytest.raises(RenderError, match="Không vẽ được biểu đồ của báo cáo: ValueError: hỏng"):
        render(sample, ["docx"])


# --------------------------------------------------------------------------------------------
# WeasyPrint: fonts and stylesheet once
# --------------------------------------------------------------------------------------------

def test_fonts_and_stylesheet_are_made_once_per_thread(sample: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two PDF renders on one thread configure fonts once and parse report.css once; another thread has its own."""
    import weasyprint
    import weasyprint.text.fonts

    made = {"fonts": 0, "css": 0}
    fonts_class, css_class = weasyprint.text.fonts.FontConfiguration, weasyprint.CSS

    class CountingFonts(fonts_class):
        def __init__(self) -> None:
            made["fonts"] += 1
            super().__init__()

    class CountingCSS(css_class):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            made["css"] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(weasyprint.text.fonts, "FontConfiguration", CountingFonts)
    monkeypatch.setattr(weasyprint, "CSS", CountingCSS)
    monkeypatch.setattr(pdf_renderer, "_local", threading.local())
    report = dataclasses.replace(sample, charts=[])
    first = render(report, ["pdf"])["pdf"]
    second = render(report, ["pdf", "pdfa"])
    assert made == {"fonts": 1, "css": 1}
    assert first[:8] == second["pdf"][:8] == b"%PDF-1.7"
    config = pdf_renderer.font_config()
    seen = []
    thread = threading.Thread(target=lambda: seen.append(pdf_renderer.font_config()))
    thread.start()
    thread.join()
    assert seen and seen[0] is not config and made["fonts"] == 2


def test_the_stylesheet_is_parsed_again_when_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed report.css is used by the next render (the cache follows the file's modification time)."""
    import os

    monkeypatch.setattr(pdf_renderer, "_local", threading.local())
    css = tmp_path / "report.css"
    css.write_text("p { color: black }", encoding="utf-8")
    first = pdf_renderer.stylesheet(css)
    assert pdf_renderer.stylesheet(css) is first
    css.write_text("p { color: red }", encoding="utf-8")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert pdf_renderer.stylesheet(css) is not first


def test_the_docx_template_is_compiled_once(sample: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """docxtpl's Jinja sources are compiled on the first DOCX only; the next DOCX reuses them."""
    from jinja2 import Environment

    from reportsvc.render import docx as docx_renderer

    compiled: list[int] = []
    original = Environment.from_string

    def counting(self, source, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        compiled.append(len(source))
        return original(self, source, *args, **kwargs)

    monkeypatch.setattr(Environment, "from_string", counting)
    docx_renderer._environment.cache_clear()
    report = dataclasses.replace(sample, charts=[])
    first = render(report, ["docx"])["docx"]
    count = len(compiled)
    second = render(report, ["docx"])["docx"]
    assert count > 0 and len(compiled) == count
    assert first == second


def test_the_docx_template_carries_only_the_styles_it_uses() -> None:
    """report.docx has no stylesWithEffects part and only the styles of the report (and their bases)."""
    from reportsvc.render.docx import TEMPLATE

    package = zipfile.ZipFile(TEMPLATE)
    assert "word/stylesWithEffects.xml" not in package.namelist()
    styles = set(re.findall(r'w:styleId="([^"]+)"', package.read("word/styles.xml").decode("utf-8")))
    assert {"Normal", "BodyText", "Heading1", "Heading2", "Heading3", "Caption", "Recipients", "TableText",
            "TableHeading", "Header"} <= styles
    assert len(styles) < 30


# --------------------------------------------------------------------------------------------
# Imports: only what a command needs
# --------------------------------------------------------------------------------------------

def _modules_after(code: str) -> set[str]:
    """The top-level modules loaded by a fresh interpreter after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_the_command_line_help_loads_no_renderer_library() -> None:
    """``reportsvc --help`` imports neither WeasyPrint, matplotlib nor docxtpl."""
    loaded = _modules_after("from reportsvc.cli.main import main\n"
                            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not loaded & {"weasyprint", "matplotlib", "docxtpl", "numpy"}


def test_a_docx_render_does_not_load_weasyprint() -> None:
    """A DOCX-only render never imports WeasyPrint; a report without charts never imports matplotlib."""
    loaded = _modules_after("import dataclasses\nfrom tests.sample_report import sample_report\n"
                            "from reportsvc.render import render\n"
                            "render(dataclasses.replace(sample_report(), charts=[]), ['docx'])")
    assert "docxtpl" in loaded
    assert not loaded & {"weasyprint", "matplotlib"}


# --------------------------------------------------------------------------------------------
# The garbage collector
# --------------------------------------------------------------------------------------------

def test_the_garbage_collector_is_restored_after_a_render(sample: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    """The collector is off during a render, on again after it, also after a failure, and left off if it was off."""
    states = []
    original = pdf_renderer.render_html

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        states.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf_renderer, "render_html", spy)
    report = dataclasses.replace(sample, charts=[])
    assert gc.isenabled()
    render(report, ["pdf"])
    assert states == [False] and gc.isenabled()

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RenderError("hỏng")

    monkeypatch.setattr(pdf_renderer, "render_html", failing)
    with pytest.raises(RenderError):
        render(report, ["pdf"])
    assert gc.isenabled()
    gc.disable()
    try:
        monkeypatch.setattr(pdf_renderer, "render_html", spy)
        render(report, ["pdf"])
        assert not gc.isenabled(), "a collector someone else turned off stays off"
    finally:
        gc.enable()
