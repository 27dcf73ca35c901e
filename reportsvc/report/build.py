"""Build the report model for a unit and period from the area plugins (the only DB-reading step)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import Agency, Plan, ReportDraft, Unit
from reportsvc.db.unitsettings import agency_settings_of, settings_of
from reportsvc.errors import NotFound
from reportsvc.hooks.registry import HookFailure, PluginError, PluginRegistry, describe_error
from reportsvc.periods import Period
from reportsvc.collect.completeness import CompletenessRow, completeness
from reportsvc.report.model import AnnexTable, AreaSection, Chart, CompletenessEntry, Header, PeriodInfo, Report, \
    Signature
from reportsvc.report.outline import opening_basis, outline, placeholder, placeholders_in
from reportsvc.vn import format as fmt


@dataclass
class BuildOptions:
    """Choices for one build: report date, document number, and whether to skip broken plugins."""

    report_date: date | None = None
    number: int | None = None
    skip_broken: bool = False
    agency_id: int | None = None  # an agency's own report (its tasks, its header and signature)


def collect_areas(context: CollectContext, skip_broken: bool) -> list[AreaSection]:
    """Call each area's owning plugin (only that one); a failure names the plugin and area unless ``skip_broken``."""
    sections = []
    registry = context.registry
    for area in registry.areas:
        plugin = registry.area_owner[area.code]
        try:
            section = registry.call_owner(plugin, "reportsvc_collect_section", area=area, context=context)
            if not isinstance(section, AreaSection):
                raise PluginError(f"reportsvc_collect_section trả về {type(section).__name__}, cần AreaSection")
        except Exception as exc:  # noqa: BLE001 - any plugin failure is reported with its name
            cause = exc.__cause__ if isinstance(exc, HookFailure) and exc.__cause__ else exc
            message = (f"Plugin '{plugin}' lỗi khi tổng hợp lĩnh vực {area.code} ({area.title}): "
                       f"{describe_error(cause)}")
            if not skip_broken:
                raise PluginError(message) from exc
            section = AreaSection(code=area.code, title=area.title, order=area.order, part=area.part,
                                  missing=f"Thiếu nội dung lĩnh vực này do lỗi plugin '{plugin}'.")
        section.plugin, section.part = plugin, area.part
        sections.append(section)
    return sections


def plan_citation(plan: Plan | None, unit: Unit, year: int) -> str:
    """Cite the plan a report answers: "Kế hoạch số 11/KH-UBND ngày 21/01/2025 của Ủy ban nhân dân xã … về …".

    What the plan's record leaves blank (number, date) is a placeholder for the officer, who can
    fill it in on the plan (web, CLI or API) so every later report has it.
    """
    if plan is None:
        return placeholder(f"kế hoạch CCHC năm {year} của {unit.name} (số, ký hiệu, ngày ban hành)")
    prefix = (plan.doc_symbol or "KH").split("-")[0]
    kind = fmt.DOCUMENT_KINDS.get(prefix, "Kế hoạch")
    number = plan.doc_number or placeholder("số")
    reference = f"{number}/{plan.doc_symbol}" if plan.doc_symbol else number
    day = f"ngày {fmt.short_date(plan.doc_date)}" if plan.doc_date else f"ngày {placeholder('ngày ban hành')}"
    body = plan.issuing_body or f"Ủy ban nhân dân {unit.name}"
    years = f"năm {plan.year}" if plan.year_end == plan.year else f"giai đoạn {plan.year}–{plan.year_end}"
    subject = (f"ban hành Kế hoạch cải cách hành chính {years}" if kind == "Quyết định"
               else f"về thực hiện công tác cải cách hành chính {years}")
    return f"{kind} số {reference} {day} của {body} {subject}"


def report_period(unit: Unit, period: Period) -> Period:
    """Return the period a unit reports for ``period``: quý III is its 9 tháng where it files 9 tháng, not quý III."""
    reports = settings_of(unit).reports
    if period.kind == "Q" and period.quarter == 3 and "M9" in reports and "Q3" not in reports:
        return Period(period.year, "M")
    return period


def entry(row: CompletenessRow) -> CompletenessEntry:
    """Return a completeness row as plain report data (no database objects)."""
    return CompletenessEntry(row.name, row.kind, row.unit_kind, row.level, row.assigned, row.reported, row.has_values,
                             row.submission, row.submitted_on, row.deadline, row.timeliness)


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
    agency = session.get(Agency, options.agency_id) if options.agency_id is not None else None
    if options.agency_id is not None and (agency is None or agency.unit_id != unit.id):
        raise NotFound(f"Không tìm thấy cơ quan số {options.agency_id} của {unit.name}.")
    settings = agency_settings_of(agency) if agency is not None else settings_of(unit)
    period = report_period(unit, period)
    context = CollectContext(session=session, unit=unit, period=period, registry=registry, cutoff=settings.cutoff,
                             agency_id=agency.id if agency is not None else None)
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
        # The officer's drafts are the unit's report's; an agency's own report is drafted afresh.
        sections=outline(areas, period, drafts(session, unit, period) if agency is None else {}, opening_basis(
            plan_citation(context.plan, unit, period.year), settings.report_request,
            agency.name if agency is not None else f"Ủy ban nhân dân {unit.name}", period)),
        areas=areas,
        signature=Signature(settings.sign_authority, settings.signer_position, settings.signer_name),
        recipients=list(settings.recipients),
        agency=agency.name if agency is not None else "", agency_id=agency.id if agency is not None else None,
        agency_code=settings.doc_symbol.removeprefix("BC-") if agency is not None else "",
        unit_kind=unit.kind, period_kind=period.kind,
        completeness=[entry(row) for row in completeness(context)] if agency is None else [],
    )
    if context.plan is None:
        report.warnings.append(f"Chưa có kế hoạch CCHC năm {period.year} của {unit.name}.")
    for area in context.plan_areas(None):
        report.warnings.append(f"Lĩnh vực '{area.numeral}. {area.title}' của kế hoạch chưa có plugin tổng hợp; "
                               f"{len(area.tasks)} nhiệm vụ không có trong báo cáo.")
    for extra in contributed(report, context, options.skip_broken):
        (report.annexes if isinstance(extra, AnnexTable) else report.charts).append(extra)
    left = [(section.heading or "Đoạn mở đầu", gap) for section in report.all_sections()
            for paragraph in section.paragraphs for gap in placeholders_in(paragraph)]
    if left:
        where = "; ".join(dict.fromkeys(heading for heading, _ in left))
        report.warnings.append(f"Báo cáo còn {len(left)} chỗ “[Đề nghị bổ sung: …]” cần điền trước khi trình ký "
                               f"(tại: {where}).")
    return report


def contributed(report: Report, context: CollectContext, skip_broken: bool = False) -> list[AnnexTable | Chart]:
    """Collect annexes and charts from every plugin's ``reportsvc_report_extras`` through pluggy.

    Items are laid out in the reverse of pluggy's call order: plugins in registration order, so
    the built-in standard annexes (``trylast``) come first and a ``tryfirst`` plugin's come last.
    A failing plugin is named; with ``skip_broken`` it is left out with a warning and the others
    are called again without it.
    """
    registry = context.registry
    skipped: list[str] = []
    while True:
        try:
            results = registry.call_all("reportsvc_report_extras", without=skipped, report=report, context=context)
            if all(_contributions(result) for result in results):
                break
            culprit = next((name for name in registry.implementers("reportsvc_report_extras") if name not in skipped
                            and not _contributions(registry.call_owner(name, "reportsvc_report_extras",
                                                                       report=report, context=context))), None)
            who = f"Plugin '{culprit}'" if culprit else "Một plugin"
            raise HookFailure(f"{who} lỗi trong reportsvc_report_extras: reportsvc_report_extras phải trả về "
                              f"danh sách AnnexTable hoặc Chart", culprit)
        except HookFailure as exc:
            if not skip_broken or exc.plugin is None or exc.plugin in skipped:
                raise
            skipped.append(exc.plugin)
            report.warnings.append(f"{exc} (đã bỏ qua phần bổ sung của plugin này)")
    return [item for result in reversed(results) for item in (result or [])]


def _contributions(result: object) -> bool:
    """Return whether an extras result is what the spec asks for: None or a list of AnnexTable/Chart."""
    return result is None or (isinstance(result, (list, tuple))
                              and all(isinstance(item, (AnnexTable, Chart)) for item in result))
