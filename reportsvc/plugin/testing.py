"""Helpers for plugin authors' tests: a migrated SQLite service with demo data and your plugin.

    from reportsvc.plugin.testing import build, docx_text, make_services

    def test_my_area(tmp_path):
        services = make_services(tmp_path, plugins=[("phan_cap", phan_cap)])
        report = build(services, unit="HT", period="2024-Y")
        assert "PHAN_CAP" in [area.code for area in report.areas]

Nothing here needs Flask or a running server. The first ``make_services`` of a test run with a
given set of declared areas and indicators migrates a database and loads the demo locality
(Hà Tĩnh 2024, a few seconds); later calls copy that database file, so each test still gets
its own database.
"""
from __future__ import annotations

import atexit
import io
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Iterable

from sqlalchemy import select

from reportsvc.db import engine as db
from reportsvc.db.lookup import find_unit
from reportsvc.report.build import BuildOptions, build_report
from reportsvc.config import Settings
from reportsvc.errors import UserError
from reportsvc.db.models import IndicatorValue, PluginSetting
from reportsvc.periods import parse_period
from reportsvc.hooks.registry import PluginRegistry, build_registry
from reportsvc.report.model import AreaSection, Report
from reportsvc.services.runtime import Services, create_services
from reportsvc.vn.text import collapse
from reportsvc.hooks.validation import validate_indicator_value

DB_NAME = "reportsvc.sqlite3"
_templates: dict[tuple, Path] = {}  # what the registry declares -> a prepared database file
_template_dir: Path | None = None


def _cache_dir() -> Path:
    global _template_dir
    if _template_dir is None:
        _template_dir = Path(tempfile.mkdtemp(prefix="reportsvc-testing-"))
        atexit.register(shutil.rmtree, _template_dir, True)
    return _template_dir


def _declarations(registry: PluginRegistry, demo: bool) -> tuple:
    """Return what the demo data depends on: the declared areas (with aliases) and indicator codes."""
    if not demo:
        return ("empty",)
    return (tuple((a.code, a.title, a.aliases) for a in registry.areas), tuple(sorted(registry.indicators)))


def _prepare(path: Path, registry: PluginRegistry, demo: bool) -> None:
    """Migrate a new SQLite database at ``path`` and, with ``demo``, load the demo locality into it."""
    from reportsvc.demo.load import load_demo

    engine = db.make_engine(f"sqlite:///{path}")
    try:
        db.upgrade(engine)
        if demo:
            with db.transaction(db.session_factory(engine)) as session:
                load_demo(session, registry)
    finally:
        engine.dispose()


def make_services(tmp_path: str | Path, plugins: Iterable[tuple[str, object]] = (), *,
                  plugins_dir: str | Path | None = None, demo: bool = True,
                  blocked: Iterable[str] = ()) -> Services:
    """Return Services on a migrated SQLite database in ``tmp_path``, with demo data unless ``demo=False``.

    ``plugins`` are (name, module or object) pairs registered like installed plugins;
    ``plugins_dir`` is a folder of drop-in ``*.py`` plugins; ``blocked`` names plugins stored as
    disabled. Installed entry-point plugins load as usual. The demo data is loaded with the
    plugins in place, so a plugin's aliases decide which demo plan areas it owns.
    """
    folder = Path(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    blocked = list(blocked)
    extra = tuple(plugins)
    settings = Settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / DB_NAME}",
                        plugins_dir=str(plugins_dir) if plugins_dir else "")
    registry = build_registry(settings.plugins_dir or None, blocked=blocked, extra=extra)
    key = _declarations(registry, demo)
    if key not in _templates:
        template = _cache_dir() / f"template-{len(_templates)}.sqlite3"
        _prepare(template, registry, demo)
        _templates[key] = template
    shutil.copyfile(_templates[key], folder / DB_NAME)
    services = create_services(settings, extra_plugins=extra)
    if blocked:
        with services.transaction() as session:
            for name in blocked:
                session.merge(PluginSetting(name=name, enabled=False))
    return services


def build(services: Services, unit: str = "HT", period: str = "2024-Y", *, skip_broken: bool = False,
          report_date: date | None = None) -> Report:
    """Build the report model of ``unit`` for ``period`` (e.g. "2024-Q1", "2024-H1", "2024-Y")."""
    options = BuildOptions(report_date=report_date, skip_broken=skip_broken)
    with services.sessions() as session:
        return build_report(session, services.registry, unit, parse_period(period), options)


def section(report: Report, code: str) -> AreaSection:
    """Return the report's section of the area ``code``; AssertionError naming the codes present."""
    found = next((area for area in report.areas if area.code == code), None)
    assert found is not None, f"area {code!r} not in report: {[a.code for a in report.areas]}"
    return found


def set_value(services: Services, code: str, value: float, *, unit: str = "HT", period: str = "2024-Q4",
              note: str = "") -> None:
    """Store a unit's indicator value for a period after the same checks as the web form (UserError if refused)."""
    key = parse_period(period).record_key  # the year's value is stored with quý IV's, 6 tháng with quý II's
    errors = validate_indicator_value(services.registry, code, value, unit, period)
    if errors:
        raise UserError("; ".join(errors))
    with services.transaction() as session:
        unit_row = find_unit(session, unit)
        row = session.scalar(select(IndicatorValue).where(IndicatorValue.code == code,
                                                          IndicatorValue.unit_id == unit_row.id,
                                                          IndicatorValue.period_key == key))
        if row is None:
            row = IndicatorValue(code=code, unit_id=unit_row.id, period_key=key, value=0.0, updated_by="test")
            session.add(row)
        row.value, row.note = float(value), note


def docx_text(data: bytes) -> str:
    """Return a DOCX's body paragraphs, then its table cells, one per line, whitespace collapsed."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(line for line in map(collapse, parts) if line)


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return a PDF's text in content order (``pdftotext -raw`` keeps table cells whole), collapsed."""
    import subprocess

    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return collapse(out.stdout.decode("utf-8"))


def render_docx(report: Report) -> bytes:
    """Render the report model to DOCX bytes (the PDF is slower; use it only when it is the point)."""
    from reportsvc.render import render

    return render(report, ["docx"])["docx"]
