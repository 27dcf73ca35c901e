"""Build the report model for a unit and period from the area plugins (the only DB-reading step)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import ReportDraft, Unit
from reportsvc.db.unitsettings import settings_of
from reportsvc.hooks.registry import HookFailure, PluginError, PluginRegistry, describe_error
from reportsvc.periods import Period
from reportsvc.report.model import AnnexTable, AreaSection, Chart, Header, PeriodInfo, Report, Signature
from reportsvc.report.outline import outline
from reportsvc.vn import format as fmt


@dataclass
class BuildOptions:
    """Choices for one build: report date, document number, and whether to skip broken plugins."""

    report_date: date | None = None
    number: int | None = None
    skip_broken: bool = False


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
