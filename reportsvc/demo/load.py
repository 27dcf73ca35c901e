"""Load the demo locality (Hà Tĩnh 2024): units, plans, status updates, indicator values, users.

Running it again adds nothing that is already there.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from reportsvc.importing import agencies
from reportsvc.demo.cycle import load_cycle
from reportsvc.demo.data import AREAS, CHILDREN, COMMUNE_TASKS, PROVINCE, TARGETS, USERS
from reportsvc.areas.matching import match_area
from reportsvc.importing.model import ParsedArea, ParsedItem, ParsedPlan, ParsedTarget, PlanIdentity
from reportsvc.importing.store import import_plan
from reportsvc.db.models import Agency, IndicatorValue, Plan, StatusUpdate, Task, Unit, User
from reportsvc.periods import Period
from reportsvc.hooks.registry import PluginRegistry

YEAR = 2024
QUARTERS = [Period(YEAR, "Q", q) for q in range(1, 5)]
SKIPS_Q3 = "Sở Tài chính"  # one department that has not reported for quý III, for the completeness annex


@dataclass
class DemoSummary:
    """What ``demo`` created, for the CLI to print."""

    units: int
    plans: int
    updates: int
    values: int
    users: list[tuple[str, str, str]]


def ensure_unit(session: Session, data: dict, parent: Unit | None) -> tuple[Unit, bool]:
    """Return the unit with ``data['code']``, creating it under ``parent`` if it is missing."""
    unit = session.scalar(select(Unit).where(Unit.code == data["code"]))
    if unit is not None:
        return unit, False
    unit = Unit(code=data["code"], name=data["name"], kind=data["kind"], place=data.get("place", ""),
                settings=data.get("settings", {}), parent=parent)
    session.add(unit)
    session.flush()
    return unit, True


def parsed_plan(name: str, areas: list, registry: PluginRegistry, targets: dict | None = None,
                identity: PlanIdentity | None = None) -> ParsedPlan:
    """Turn demo rows into the ParsedPlan an import of the published file would give."""
    plan = ParsedPlan(filename="demo-ha-tinh-2024.docx", sha256="", kind="docx",
                      title=f"Kế hoạch cải cách hành chính {name} năm {YEAR}", identity=identity or PlanIdentity())
    row = 0
    for numeral, heading, items in areas:
        spec = match_area(heading, registry.areas)
        area = ParsedArea(numeral=numeral, title=heading, area_code=spec.code if spec else None)
        for number, title, activity, product, lead, coord, deadline in items:
            row += 1
            area.items.append(ParsedItem(number=number, row=row, title=title.format(name=name),
                                         activity=activity, product=product, lead=lead.format(name=name),
                                         coord=coord, deadline=deadline))
        plan.areas.append(area)
    for code, (value, text) in (targets or {}).items():
        spec = registry.indicators.get(code)
        if spec is not None:
            plan.targets.append(ParsedTarget(code=code, name=spec.name, text=text, value=value, unit=spec.unit,
                                             area_code=spec.area, matched=True))
    return plan


def plan_identity(unit: Unit, index: int) -> PlanIdentity:
    """Return the number and date a demo unit's plan was issued with, as its heading would give them."""
    issued = date(YEAR - 1, 12, 28) if index == 0 else date(YEAR, 1, 10 + index % 15)
    return PlanIdentity(number=str(256 if index == 0 else 10 + index), symbol="KH-UBND", date=issued,
                        date_text=f"ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
                        place=unit.place or "", issuing_body=f"Ủy ban nhân dân {unit.name}")


def simulate_updates(session: Session, plan: Plan) -> int:
    """Record a plausible quarter-by-quarter history of status updates for the plan's tasks."""
    added = 0
    counters: dict[str, int] = {}
    for task in plan.tasks:
        rng = random.Random(f"{plan.unit_id}:{task.number}:{task.title}")
        lead = task.agencies[0].agency if task.agencies else None
        deadline = task.deadline_end or date(YEAR, 12, 31)
        fate = rng.random()
        if fate < 0.12:
            finished = None  # still running at the end of the year
        else:
            slip = rng.randint(5, 40) if fate < 0.27 else -rng.randint(3, 50)
            finished = min(deadline + timedelta(days=slip), date(YEAR, 12, 10))
        started = (task.deadline_start or date(YEAR, 1, 1)) - timedelta(days=rng.randint(0, 30))
        for quarter in QUARTERS:
            end = quarter.window()[1]
            done = finished is not None and finished <= end
            skipped = lead is not None and lead.name == SKIPS_Q3 and quarter.quarter == 3
            exists = session.scalar(select(StatusUpdate.id).where(StatusUpdate.task_id == task.id,
                                                                  StatusUpdate.period_key == quarter.record_key))
            if started <= end and not skipped and exists is None:
                session.add(_update(task, quarter, lead, finished if done else None, rng, counters))
                added += 1
            if done:
                break  # nothing more to report once done
    return added


def _update(task: Task, quarter: Period, lead: Agency | None, finished: date | None, rng: random.Random,
            counters: dict[str, int]) -> StatusUpdate:
    """Return the status update an agency would file for the quarter."""
    update = StatusUpdate(task=task, period_key=quarter.record_key, agency=lead, updated_by="demo")
    if finished is not None:
        symbol = _symbol(task.product)
        counters[symbol] = counters.get(symbol, rng.randint(12, 60)) + rng.randint(3, 25)
        update.status, update.completed_on = "done", finished
        update.evidence_number = f"{counters[symbol]}/{symbol}"
        update.evidence_date = finished
        update.evidence_title = task.title
        update.result = f"Đã hoàn thành: {task.product}" if task.product else "Đã hoàn thành"
    else:
        update.status = "in_progress" if rng.random() < 0.85 else "not_started"
        update.result = "Đang triển khai thực hiện theo kế hoạch" if update.status == "in_progress" else ""
    return update


def _symbol(product: str) -> str:
    kinds = {"Kế hoạch": "KH-UBND", "Quyết định": "QĐ-UBND", "Báo cáo": "BC-UBND", "Đề án": "ĐA-UBND",
             "Công văn": "UBND-NC"}
    return next((symbol for word, symbol in kinds.items() if product.startswith(word)), "UBND-NC")


# Province-level values (year to date at the end of each quarter) for indicators without roll-up.
PROVINCE_VALUES = {
    "CD_KIEM_TRA": [8, 19, 31, 37], "CD_SANG_KIEN": [0, 1, 2, 3], "TC_VBQPPL_BAN_HANH": [9, 21, 30, 44],
    "TC_VBQPPL_RA_SOAT": [62, 74, 88, 96], "TC_QUY_DINH_CHI_TIET": [78, 84, 89, 92],
    "BM_GIAM_BIEN_CHE_CC": [4, 11, 19, 26], "BM_GIAM_BIEN_CHE_VC": [118, 262, 405, 540],
    "BM_DVSN_SAP_XEP": [35, 60, 85, 100], "CV_NGOAI_NGU": [36, 40, 44, 47],
    "TCC_DVSN_TU_CHU": [286, 301, 318, 327], "TCC_TY_LE_TU_CHU": [100, 100, 100, 100],
    "TCC_GIAM_CHI_NSNN": [0.6, 1.4, 2.1, 2.7], "TCC_NHA_DAT": [58, 69, 80, 87],
    "CQS_CSDL_LIEN_THONG": [52, 61, 66, 72], "CQS_HO_SO_DIEN_TU": [94.5, 96.2, 98.1, 99.4],
}
PROVINCE_2023 = {"CD_KIEM_TRA": [6, 15, 27, 33], "TC_VBQPPL_BAN_HANH": [7, 18, 26, 39],
                 "BM_GIAM_BIEN_CHE_CC": [3, 9, 17, 24], "CQS_HO_SO_DIEN_TU": [88, 90.5, 92, 95.5]}


def commune_values(unit: Unit, year: int) -> dict[str, list[float]]:
    """Return a commune's year-to-date values per quarter: dossier counts and its own rates."""
    rng = random.Random(f"{unit.code}:{year}")
    lift = 0 if year == YEAR else -8
    quarterly = [rng.randint(180, 420) for _ in range(4)]
    received = [sum(quarterly[: q + 1]) for q in range(4)]
    online_rate = [min(95, rng.uniform(48, 58) + 7 * q + lift) for q in range(4)]
    solved = [round(r * rng.uniform(0.93, 0.97)) for r in received]
    meeting_quarter = rng.choice([2, 3, 4]) if year == YEAR else 9
    return {
        "TTHC_HS_TIEP_NHAN": received,
        "TTHC_HS_TRUC_TUYEN": [round(r * rate / 100) for r, rate in zip(received, online_rate)],
        "TTHC_HS_DA_GIAI_QUYET": solved,
        "TTHC_HS_DUNG_HAN": [round(s * rng.uniform(0.95, 0.995)) for s in solved],
        "TTHC_TY_LE_TOAN_TRINH": [round(min(99, 62 + 8 * q + rng.uniform(0, 4) + lift), 1) for q in range(4)],
        "TTHC_THANH_TOAN_TRUC_TUYEN": [round(31 + 6 * q + rng.uniform(0, 5) + lift, 1) for q in range(4)],
        "TTHC_SO_HOA": [round(64 + 5 * q + rng.uniform(0, 4) + lift, 1) for q in range(4)],
        "TTHC_HAI_LONG": [round(rng.uniform(92.5, 97.5), 1) for _ in range(4)],
        "CD_KE_HOACH": [100.0] * 4,
        "CV_CBCC_XA_DAI_HOC": [round(79 + 2 * q + rng.uniform(0, 3) + lift / 2, 1) for q in range(4)],
        "CQS_HO_SO_DIEN_TU": [round(52 + 6 * q + rng.uniform(0, 5) + lift, 1) for q in range(4)],
        "CQS_HNTT_XA": [100.0 if q + 1 >= meeting_quarter else 0.0 for q in range(4)],
    }


def add_values(session: Session, unit: Unit, year: int, values: dict[str, list[float]]) -> int:
    """Store quarter values for a unit, skipping those already stored."""
    added = 0
    for code, series in values.items():
        for quarter, value in zip(range(1, 5), series):
            key = Period(year, "Q", quarter).record_key  # the key its data window is stored under
            exists = session.scalar(select(IndicatorValue.id).where(
                IndicatorValue.code == code, IndicatorValue.unit_id == unit.id, IndicatorValue.period_key == key))
            if exists is None:
                session.add(IndicatorValue(code=code, unit_id=unit.id, period_key=key, value=float(value),
                                           updated_by="demo"))
                added += 1
    return added


def demo_email(username: str) -> str:
    """Return a demo user's e-mail address: under example.org, a domain that never receives mail (RFC 2606)."""
    return f"{username}@example.org"


def ensure_users(session: Session, province: Unit) -> list[tuple[str, str, str]]:
    """Create the demo users if missing; return (username, password, role) for every demo user.

    Each has an address under example.org (one loaded before users had addresses gets it now).
    """
    credentials = []
    for username, password, role, agency_name, full_name in USERS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            agency = agencies.get_or_create(session, province, agency_name)[0] if agency_name else None
            session.add(User(username=username, full_name=full_name, role=role, agency=agency, unit=province,
                             password_hash=generate_password_hash(password), email=demo_email(username)))
        elif not user.email:
            user.email = demo_email(username)
        credentials.append((username, password, role))
    return credentials


def load_demo(session: Session, registry: PluginRegistry) -> DemoSummary:
    """Load the demo locality into ``session`` (the caller commits)."""
    province, created = ensure_unit(session, PROVINCE, None)
    units = int(created)
    communes = []
    for district_data in CHILDREN:
        district, created = ensure_unit(session, district_data, province)
        units += created
        for commune_data in district_data["children"]:
            commune, created = ensure_unit(session, commune_data, district)
            units += created
            communes.append(commune)
    plans = 0
    plan_rows = [(province, parsed_plan(province.name, AREAS, registry, TARGETS, plan_identity(province, 0)))]
    plan_rows += [(c, parsed_plan(c.name, COMMUNE_TASKS, registry, identity=plan_identity(c, i)))
                  for i, c in enumerate(communes, 1)]
    stored = []
    for unit, parsed in plan_rows:
        plan = session.scalar(select(Plan).where(Plan.unit_id == unit.id, Plan.year == YEAR))
        if plan is None:
            # the demo's departments are part of the demo: created with its plans, by the loader's own choice
            plan = import_plan(session, parsed, unit.code, YEAR, filename=parsed.filename, sha256="", user="demo",
                               create_agencies=True)
            plans += 1
        stored.append(plan)
    session.flush()
    updates = sum(simulate_updates(session, plan) for plan in stored)
    values = add_values(session, province, YEAR, PROVINCE_VALUES)
    values += add_values(session, province, YEAR - 1, PROVINCE_2023)
    for commune in communes:
        values += add_values(session, commune, YEAR, commune_values(commune, YEAR))
        values += add_values(session, commune, YEAR - 1, commune_values(commune, YEAR - 1))
    users = ensure_users(session, province)
    session.flush()
    load_cycle(session, province)  # data deadlines and the 2024 submissions, some on time, some late
    return DemoSummary(units, plans, updates, values, users)
