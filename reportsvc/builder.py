"""Build the report model for a unit and period from the area plugins (the only DB-reading step)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reportsvc import formatting as fmt
from reportsvc.collect import CollectContext, period_end
from reportsvc.errors import NotFound
from reportsvc.models import (Agency, IndicatorValue, Plan, ReportDraft, StatusUpdate, Task, TaskAgency, Unit)
from reportsvc.narrative import outline
from reportsvc.periods import Period
from reportsvc.plugins import PluginError, PluginRegistry, describe_error
from reportsvc.reportmodel import (AnnexTable, AreaSection, Chart, ChartSeries, Header, PeriodInfo, Report,
                                   Signature)
from reportsvc.status import CLASSES
from reportsvc.unitsettings import KIND_NAMES, settings_of


@dataclass
class BuildOptions:
    """Choices for one build: report date, document number, and whether to skip broken plugins."""

    report_date: date | None = None
    number: int | None = None
    skip_broken: bool = False


def find_unit(session: Session, code: str) -> Unit:
    """Return the unit with ``code`` or raise NotFound with the message the CLI prints."""
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị '{code}'")
    return unit


def collect_areas(context: CollectContext, skip_broken: bool) -> list[AreaSection]:
    """Call each area's owning plugin; a failure names the plugin and area unless ``skip_broken``."""
    sections = []
    registry = context.registry
    for area in registry.areas:
        plugin = registry.area_owner[area.code]
        try:
            section = registry.call_on(plugin, "reportsvc_collect_section", area=area, context=context)
            if not isinstance(section, AreaSection):
                raise PluginError(f"reportsvc_collect_section trả về {type(section).__name__}, cần AreaSection")
        except Exception as exc:  # noqa: BLE001 - any plugin failure is reported with its name
            message = (f"Plugin '{plugin}' lỗi khi tổng hợp lĩnh vực {area.code} ({area.title}): "
                       f"{describe_error(exc)}")
            if not skip_broken:
                raise PluginError(message) from exc
            section = AreaSection(code=area.code, title=area.title, order=area.order, part=area.part,
                                  missing=f"Thiếu nội dung lĩnh vực này do lỗi plugin '{plugin}'.")
        section.plugin, section.part = plugin, area.part
        sections.append(section)
    return sections


def drafts(session: Session, unit: Unit, period: Period) -> dict[str, str]:
    """Return the officer's stored section texts for the unit and period."""
    rows = session.scalars(select(ReportDraft).where(ReportDraft.unit_id == unit.id,
                                                     ReportDraft.period_key == period.key))
    return {row.section: row.text for row in rows}


def build_report(session: Session, registry: PluginRegistry, unit_code: str, period: Period,
                 options: BuildOptions | None = None) -> Report:
    """Build the full report model; renderers need nothing else."""
    options = options or BuildOptions()
    unit = find_unit(session, unit_code)
    settings = settings_of(unit)
    context = CollectContext(session=session, unit=unit, period=period, registry=registry, cutoff=settings.cutoff)
    start, end = context.window
    areas = collect_areas(context, options.skip_broken)
    report_date = options.report_date or date.today()
    report = Report(
        unit_code=unit.code, unit_name=unit.name,
        period=PeriodInfo(period.key, period.label, start, end),
        header=Header(parent_body=settings.parent_body.upper(), issuing_body=settings.issuing_body.upper(),
                      number=fmt.doc_number(options.number, settings.doc_symbol),
                      place_date=f"{unit.place or unit.name}, {fmt.admin_date(report_date)}"),
        doc_kind="BÁO CÁO",
        subject=f"Kết quả thực hiện công tác cải cách hành chính {period.label}",
        sections=outline(areas, period, drafts(session, unit, period)),
        areas=areas,
        signature=Signature(settings.sign_authority, settings.signer_position, settings.signer_name),
        recipients=list(settings.recipients),
        annexes=[task_annex(areas), indicator_annex(areas), completeness_annex(session, context)],
        charts=[status_chart(areas), indicator_chart(areas)],
    )
    if context.plan is None:
        report.warnings.append(f"Chưa có kế hoạch CCHC năm {period.year} của {unit.name}.")
    for area in context.plan_areas(None):
        report.warnings.append(f"Lĩnh vực '{area.numeral}. {area.title}' của kế hoạch chưa có plugin tổng hợp; "
                               f"{len(area.tasks)} nhiệm vụ không có trong báo cáo.")
    for extra in contributed(report, context, options.skip_broken):
        (report.annexes if isinstance(extra, AnnexTable) else report.charts).append(extra)
    return report


def contributed(report: Report, context: CollectContext, skip_broken: bool = False) -> list[AnnexTable | Chart]:
    """Collect extra annexes and charts from every plugin, naming a plugin that fails or returns garbage.

    With ``skip_broken`` a failing plugin's contribution is left out and a warning says so.
    """
    extras: list[AnnexTable | Chart] = []
    for plugin, function, argnames in context.registry.each_impl("reportsvc_report_extras"):
        kwargs = {"report": report, "context": context}
        try:
            result = list(function(**{k: v for k, v in kwargs.items() if k in argnames}) or [])
            if not all(isinstance(item, (AnnexTable, Chart)) for item in result):
                raise PluginError("reportsvc_report_extras phải trả về danh sách AnnexTable hoặc Chart")
        except Exception as exc:  # noqa: BLE001
            message = f"Plugin '{plugin}' lỗi trong reportsvc_report_extras: {describe_error(exc)}"
            if not skip_broken:
                raise PluginError(message) from exc
            report.warnings.append(message + " (đã bỏ qua phần bổ sung của plugin này)")
            continue
        extras.extend(result)
    return extras


def task_annex(areas: list[AreaSection]) -> AnnexTable:
    """Annex 1: every task with its status, grouped by area."""
    rows, groups = [], []
    for number, area in enumerate(areas, 1):
        groups.append(len(rows))
        rows.append([fmt.roman(number), area.title.upper(), "", "", "", ""])
        for task in area.tasks:
            evidence = "; ".join(f"{d.number} ngày {fmt.short_date(d.date)}".strip() for d in task.documents)
            rows.append([task.number, task.title, task.lead, task.deadline, task.status_label,
                         "; ".join(x for x in (task.result, evidence) if x)])
    return AnnexTable(key="tasks", title="Phụ lục I. Danh mục nhiệm vụ và tình hình thực hiện",
                      columns=["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Kết quả, văn bản"],
                      rows=rows, widths=[0.8, 4, 2, 1.4, 1.5, 2.6], group_rows=groups)


def indicator_annex(areas: list[AreaSection]) -> AnnexTable:
    """Annex 2: indicators with target, actual, % achieved and the same period last year."""
    rows, groups = [], []
    for number, area in enumerate([a for a in areas if a.indicators], 1):
        groups.append(len(rows))
        rows.append([fmt.roman(number), area.title.upper(), "", "", "", "", ""])
        for i, row in enumerate(area.indicators, 1):
            value = fmt.percent if row.unit == "%" else fmt.number
            rows.append([str(i), row.name, row.unit, value(row.target), value(row.actual),
                         fmt.percent(row.achieved_percent), value(row.last_year)])
    return AnnexTable(key="indicators", title="Phụ lục II. Kết quả thực hiện các chỉ tiêu",
                      columns=["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Tỷ lệ đạt",
                               "Cùng kỳ năm trước"], rows=rows, widths=[0.8, 4.4, 1.3, 1.2, 1.2, 1.2, 1.4],
                      group_rows=groups)


def completeness_annex(session: Session, context: CollectContext) -> AnnexTable:
    """Annex 3: for each lead agency and each unit below, tasks assigned and reported in the window."""
    start, end = context.window
    in_window = {key for key in _period_keys(session) if start <= period_end(key, context.cutoff) <= end}
    rows: list[list[str]] = []

    def add(name: str, kind: str, assigned: int, reported: int, other_data: bool = False) -> None:
        done = reported > 0 or other_data
        rows.append([str(len(rows) + 1), name, kind, fmt.number(assigned), fmt.number(reported),
                     "Đã báo cáo" if done else "Chưa báo cáo"])

    reported_task = (select(StatusUpdate.id).where(StatusUpdate.task_id == Task.id,
                                                   StatusUpdate.period_key.in_(in_window)).exists())
    if context.plan is not None:
        counts = session.execute(
            select(Agency.name, func.count(Task.id.distinct()),
                   func.count(Task.id.distinct()).filter(reported_task))
            .join(TaskAgency, TaskAgency.agency_id == Agency.id).join(Task, Task.id == TaskAgency.task_id)
            .where(Task.plan_id == context.plan.id, TaskAgency.role == "lead")
            .group_by(Agency.name).order_by(Agency.name)).all()
        for name, assigned, reported in counts:
            add(name, "Cơ quan chủ trì", assigned, reported)
    for unit, level in _descendants(context.unit):
        subtree = [u.id for u, _ in _descendants(unit)] + [unit.id]
        assigned, reported = session.execute(
            select(func.count(Task.id), func.count(Task.id).filter(reported_task))
            .join(Plan, Plan.id == Task.plan_id).where(Plan.unit_id.in_(subtree), Plan.year == context.period.year)
        ).one()
        has_values = session.scalar(select(IndicatorValue.id).where(
            IndicatorValue.unit_id.in_(subtree), IndicatorValue.period_key.in_(in_window)).limit(1)) is not None
        kind = f"Đơn vị cấp {KIND_NAMES.get(unit.kind, unit.kind)}"
        add(("– " * (level - 1)) + unit.name, kind, assigned, reported, has_values)
    return AnnexTable(key="completeness", title="Phụ lục III. Tình hình báo cáo của các cơ quan, đơn vị",
                      columns=["TT", "Cơ quan, đơn vị", "Loại", "Số nhiệm vụ được giao", "Số nhiệm vụ đã báo cáo",
                               "Tình trạng báo cáo"], rows=rows, widths=[0.5, 3.4, 1.6, 1.2, 1.2, 1.4])


def _descendants(unit: Unit, level: int = 1) -> list[tuple[Unit, int]]:
    """Return every unit below ``unit`` depth-first, with its depth (1 for direct children)."""
    result = []
    for child in unit.children:
        result.append((child, level))
        result.extend(_descendants(child, level + 1))
    return result


def _period_keys(session: Session) -> set[str]:
    keys = set(session.scalars(select(StatusUpdate.period_key).distinct()))
    return keys | set(session.scalars(select(IndicatorValue.period_key).distinct()))


def _short(name: str, limit: int = 48) -> str:
    """Return an indicator name cut at a word boundary to fit a chart label."""
    if len(name) <= limit:
        return name
    return name[:limit].rsplit(" ", 1)[0] + "…"


def status_chart(areas: list[AreaSection]) -> Chart:
    """Chart: task status by area as stacked bars."""
    return Chart(key="status", title="Tiến độ thực hiện nhiệm vụ theo lĩnh vực", kind="stacked_bar",
                 categories=[a.code for a in areas],
                 series=[ChartSeries(label, [float(a.count(key)) for a in areas]) for key, label in CLASSES.items()],
                 unit="nhiệm vụ")


def indicator_chart(areas: list[AreaSection]) -> Chart:
    """Chart: percentage indicators against their targets."""
    rows = [row for a in areas for row in a.indicators
            if row.unit == "%" and row.actual is not None and row.target is not None]
    return Chart(key="indicators", title="Các chỉ tiêu tỷ lệ (%) so với kế hoạch", kind="bar",
                 categories=[_short(row.name) for row in rows],
                 series=[ChartSeries("Kế hoạch", [row.target or 0.0 for row in rows]),
                         ChartSeries("Thực hiện", [row.actual or 0.0 for row in rows])], unit="%")
