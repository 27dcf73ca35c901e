"""Storing a ParsedPlan: Plan, PlanArea, Task, TaskAgency and Indicator rows, in the caller's transaction.

``import_plan`` only adds and flushes; the caller commits or rolls back (``run_import`` does
both around one session), so a failure leaves the database exactly as it was.

A unit has at most one plan of the same years (an annual plan for 2021 may stand beside its
2021–2025 plan; the annual one governs 2021). Importing again is refused unless ``replace`` is set;
replacing deletes the old plan with its areas, tasks and targets, and moves the status
updates of an old task to the new task with the same area numeral and number. Updates of
tasks the new plan no longer has are deleted, and a warning on ``parsed.warnings`` says how many.

The warnings about agencies created or kept as text say what to do next where the import came from
(``origin``): on the command line its options, on the web the preview's choices and pages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from reportsvc.importing import agencies
from reportsvc.db.engine import transaction
from reportsvc.db.lookup import find_unit
from reportsvc.importing.deadlines import parse_deadline, years_label
from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.safety import display_name
from reportsvc.importing.model import ParsedPlan
from reportsvc.errors import NotFound
from reportsvc.vn.text import fold
from reportsvc.db.models import Agency, AuditEntry, Indicator, Plan, PlanArea, StatusUpdate, Task, TaskAgency, Unit, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from reportsvc.config import Settings
    from reportsvc.hooks.registry import PluginRegistry


def _plan_unit(session: Session, unit_code: str) -> Unit:
    """Return the unit a plan is imported for (find_unit), refused as the import's own PlanImportError."""
    try:
        return find_unit(session, unit_code)
    except NotFound as exc:
        raise PlanImportError(str(exc)) from None


ORIGINS = ("cli", "web")  # where an import comes from: the command line, or the web upload and its preview


def import_plan(session: Session, parsed: ParsedPlan, unit_code: str, year: int, replace: bool = False,
                filename: str | None = None, sha256: str | None = None, user: str = "",
                create_agencies: bool = False, agency_map: dict[str, int | str] | None = None,
                origin: str = "cli") -> Plan:
    """Add the parsed plan for a unit and year to ``session`` (flushed, not committed) and return it.

    A name that is no agency of the unit's scope is created only when ``create_agencies`` is set or
    ``agency_map`` maps it to "new"; ``agency_map`` may map it to the id of an agency of that scope
    instead. Otherwise its task keeps the name as text (lead_text) with no agency, and a warning says so,
    with the next step ``origin`` ("cli" or "web") offers.
    """
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, not {origin!r}")
    try:
        return _import(session, parsed, unit_code, year, replace,
                       display_name(filename) if filename else parsed.filename, sha256 or parsed.sha256, user,
                       _AgencyChoices(create_agencies, agency_map or {}, origin))
    except SQLAlchemyError as exc:
        raise PlanImportError(f"Lỗi cơ sở dữ liệu khi lưu kế hoạch ({exc.__class__.__name__}); "
                              f"không có thay đổi nào được lưu.") from exc


def _import(session: Session, parsed: ParsedPlan, unit_code: str, year: int, replace: bool,
            filename: str, sha256: str, user: str, choices: "_AgencyChoices") -> Plan:
    unit = _plan_unit(session, unit_code)
    year_end = parsed.years[1] if parsed.years and parsed.years[0] == year else year  # a multi-year plan
    # Only a plan of the same years is the same plan: a 2021 annual plan stands beside a 2021–2025 one.
    existing = session.scalar(select(Plan).where(Plan.unit_id == unit.id, Plan.year == year, Plan.year_end == year_end))
    if existing is not None and not replace:
        source = f" (từ tệp '{existing.source_filename}')" if existing.source_filename else ""
        raise PlanImportError(f"Đơn vị '{unit_code}' đã có kế hoạch {years_label((year, year_end))}{source}. "
                              f"Dùng --replace để thay thế kế hoạch cũ.")
    old_tasks: dict[tuple[str, str], int] = {}
    old_areas: list[PlanArea] = []
    if existing is not None:  # replaced in place: the plan row stays, its content is swapped below
        for task in existing.tasks:
            old_tasks.setdefault((task.area.numeral, task.number), task.id)
        old_areas = list(existing.areas)
        existing.targets.clear()  # frees (plan, code) for the new targets
        session.flush()
        plan = existing
        plan.year_end, plan.title, plan.source_filename, plan.source_sha256 = year_end, parsed.title, filename, sha256
        plan.imported_by, plan.imported_at = user, utcnow()
    else:
        plan = Plan(unit=unit, year=year, year_end=year_end, title=parsed.title, source_filename=filename,
                    source_sha256=sha256, imported_by=user)
        session.add(plan)
    new_tasks: dict[tuple[str, str], Task] = {}
    position = 0
    identity = parsed.identity
    for area_position, parsed_area in enumerate(parsed.areas):
        area = PlanArea(plan=plan, numeral=parsed_area.numeral, title=parsed_area.title,
                        area_code=parsed_area.area_code, position=area_position)
        session.add(area)
        for item in parsed_area.items:
            position += 1
            deadline = parse_deadline(item.deadline, year)
            task = Task(plan=plan, area=area, position=position, number=item.number, objective=item.objective,
                        title=item.title or item.activity or item.objective or f"Nhiệm vụ {item.number}",
                        activity=item.activity, product=item.product, lead_text=item.lead,
                        coord_text=item.coord, deadline_raw=deadline.raw, deadline_kind=deadline.kind,
                        deadline_start=deadline.start, deadline_end=deadline.end,
                        deadline_recurrence=deadline.recurrence, budget=item.budget)
            session.add(task)
            _add_agencies(session, unit, task, item.lead, "lead", choices)
            _add_agencies(session, unit, task, item.coord, "coord", choices)
            new_tasks.setdefault((parsed_area.numeral, item.number), task)
    if choices.created:
        parsed.warnings.append(f"Đã thêm {len(choices.created)} cơ quan chưa có vào danh mục của {unit.name}: "
                               f"{'; '.join(choices.created)}. {_created_advice(choices.origin, unit)}")
    if choices.kept:
        parsed.warnings.append(f"{len(choices.kept)} tên cơ quan chưa có trong danh mục, chưa gán cho nhiệm vụ "
                               f"(giữ nguyên chữ): {'; '.join(choices.kept)}. {_kept_advice(choices.origin)}")
    plan.doc_number, plan.doc_symbol, plan.doc_date = identity.number, identity.symbol, identity.date
    plan.doc_date_text, plan.doc_place = identity.date_text[:64], identity.place[:128]
    plan.issuing_body = identity.issuing_body[:255]
    for target in parsed.targets:
        session.add(Indicator(plan=plan, code=target.code, name=target.name, unit_of_measure=target.unit[:32],
                              area_code=target.area_code, target=target.value, target_text=target.text))
    session.flush()

    if existing is not None:
        _carry_updates(session, parsed, old_areas, old_tasks, new_tasks)
    session.add(AuditEntry(actor=user or "system", action="plan.replace" if existing is not None else "plan.import",
                           entity="plan", entity_id=str(plan.id), old=None,
                           new={"unit": unit_code, "year": year, "file": filename, "sha256": sha256,
                                "areas": len(parsed.areas), "tasks": position, "targets": len(parsed.targets)},
                           unit_id=unit.id))
    session.flush()
    return plan


def _created_advice(origin: str, unit: Unit) -> str:
    """Return where to check the agencies an import created: the CLI command, or the web's agencies page."""
    if origin == "web":
        return "Kiểm tra lại ở trang “Cơ quan” của đơn vị (đổi tên, thêm tên gọi khác hoặc hợp nhất nếu cần)."
    return f"Kiểm tra lại bằng 'reportsvc agencies list --unit {unit.code}'."


def _kept_advice(origin: str) -> str:
    """Return how to assign the names an import kept as text: the CLI option, or the web preview's choices."""
    if origin == "web":
        return ("Để gán, tải tệp lên lại, đánh dấu “Thay thế kế hoạch đã nhập” và ở bước xem trước chọn cơ quan "
                "tương ứng hoặc “Tạo cơ quan mới” cho từng tên.")
    return "Thêm cơ quan rồi nhập lại, hoặc dùng --create-agencies để tạo chúng."


@dataclass
class _AgencyChoices:
    """How unknown agency names are treated in one import, and what happened to them."""

    create: bool
    mapping: dict[str, int | str]
    origin: str = "cli"
    cache: dict[str, agencies.Resolution] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def choice(self, written: str) -> int | str:
        """Return the officer's choice for a name: an agency id, "new", or "" (keep as text)."""
        for key in (written, agencies.lookup_text(written)):
            if key in self.mapping:
                return self.mapping[key]
        return "new" if self.create else ""


def _resolve_choice(session: Session, unit: Unit, written: str, choices: _AgencyChoices) -> agencies.Resolution:
    """Resolve a written name once per import: an agency, a group, a row problem, or kept as text."""
    key = fold(agencies.lookup_text(written))
    if key in choices.cache:
        return choices.cache[key]
    found = agencies.classify(session, unit, written)
    if found.kind == "unknown":
        choice = choices.choice(written)
        if choice == "new":
            found = agencies.Resolution(written, "agency", agency=agencies.create(session, unit, written))
            choices.created.append(found.agency.name)
        elif choice:
            agency = session.get(Agency, int(choice)) if str(choice).isdigit() else None
            if agency is None or agency.unit_id not in agencies.scope_ids(unit):
                raise PlanImportError(f"Cơ quan được chọn cho '{written}' không thuộc đơn vị {unit.name} "
                                      f"hoặc đơn vị cấp trên.")
            agencies.add_alias(session, agency, agencies.lookup_text(written))
            found = agencies.Resolution(written, "agency", agency=agency)
        else:
            choices.kept.append(agencies.lookup_text(written))
    choices.cache[key] = found
    return found


def _add_agencies(session: Session, unit: Unit, task: Task, cell: str, role: str, choices: _AgencyChoices) -> None:
    seen: set[int] = set()
    groups: list[str] = []
    for written in agencies.split_written(cell):
        found = _resolve_choice(session, unit, written, choices)
        if found.kind == "group" and found.group not in groups:
            groups.append(found.group)
        if found.agency is None or found.agency.id in seen:
            continue
        seen.add(found.agency.id)
        session.add(TaskAgency(task=task, agency=found.agency, role=role))
    if role == "lead" and groups:
        task.lead_group = ",".join(code for code in agencies.GROUPS if code in groups)


def _carry_updates(session: Session, parsed: ParsedPlan, old_areas: list[PlanArea],
                   old_tasks: dict[tuple[str, str], int], new_tasks: dict[tuple[str, str], Task]) -> None:
    """Move status updates from the replaced tasks to the new task with the same area and number, then
    delete the replaced areas and tasks (and the updates of tasks that are gone)."""
    moved = 0
    for key, old_id in old_tasks.items():
        new = new_tasks.get(key)
        if new is None:
            continue
        result = session.execute(update(StatusUpdate).where(StatusUpdate.task_id == old_id)
                                 .values(task_id=new.id).execution_options(synchronize_session=False))
        moved += result.rowcount or 0
    old_ids = [task.id for area in old_areas for task in area.tasks]
    lost = session.scalar(select(func.count(StatusUpdate.id)).where(StatusUpdate.task_id.in_(old_ids))) or 0
    for area in old_areas:
        for task in area.tasks:
            session.expire(task, ["updates"])
            session.delete(task)
        session.delete(area)
    session.flush()
    if moved:
        parsed.warnings.append(f"Đã chuyển {moved} cập nhật tiến độ sang các nhiệm vụ tương ứng của kế hoạch mới.")
    if lost:
        parsed.warnings.append(f"Đã xóa {lost} cập nhật tiến độ của các nhiệm vụ không còn trong kế hoạch mới.")


def run_import(sessions: sessionmaker[Session], source: "bytes | str | Path", filename: str | None, unit_code: str,
               year: int | tuple[int, int] | None, registry: "PluginRegistry", settings: "Settings | None" = None,
               replace: bool = False,
               user: str = "", create_agencies: bool = False,
               agency_map: dict[str, int | str] | None = None, origin: str = "cli") -> tuple[Plan, ParsedPlan]:
    """Analyse a file and store it in one transaction: all of it is saved, or nothing is (``origin``: see
    ``import_plan``)."""
    from reportsvc.importing.analyse import analyse_plan

    with transaction(sessions) as session:
        _plan_unit(session, unit_code)  # an unknown unit is reported before the file is read
        parsed = analyse_plan(source, filename, registry, settings, year=year)
        first = parsed.years[0] if parsed.years else int(year or 0)  # years given, or read from the document
        plan = import_plan(session, parsed, unit_code, first, replace, user=user, create_agencies=create_agencies,
                           agency_map=agency_map, origin=origin)
    return plan, parsed
