"""The 2025 mergers: two communes merged into a new one on 1 July 2025 keep their history, and the new
commune's 2025 annual report counts what they did before the merger."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import StatusUpdate, Task
from reportsvc.demo.load import parsed_plan
from reportsvc.demo.data import COMMUNE_TASKS
from reportsvc.errors import Invalid
from reportsvc.importing.store import import_plan
from reportsvc.plugin.testing import build, make_services, set_value
from reportsvc.render.view import cell_text
from reportsvc.services.permissions import Actor
from reportsvc.services.recording import record_indicator_value
from reportsvc.services.units import UnitError, merge_units, unit_rows

OLD = ("HT-TH-TD", "HT-TH-TL")  # xã Thạch Đài and xã Thạch Long of the demo
NEW = "HT-TH-MOI"
SYSTEM = Actor(id=0, username="system", full_name="system", role="superadmin")


def _merged(tmp_path: Path):  # noqa: ANN202 - Services
    """Give both demo communes a 2025 plan and first-half figures, then merge them into a new commune."""
    services = make_services(tmp_path)
    with services.transaction() as session:
        for code in OLD:
            unit = find_unit(session, code)
            plan = import_plan(session, parsed_plan(unit.name, COMMUNE_TASKS, services.registry), code, 2025,
                               user="test")
            first = session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).first()
            session.add(StatusUpdate(task=first, period_key="2025-H1", status="done", completed_on=date(2025, 5, 20),
                                     result=f"Hoàn thành tại {unit.name}"))
    set_value(services, "TTHC_HS_TIEP_NHAN", 400, unit=OLD[0], period="2025-H1")
    set_value(services, "TTHC_HS_TIEP_NHAN", 300, unit=OLD[1], period="2025-H1")
    set_value(services, "TTHC_HAI_LONG", 90, unit=OLD[0], period="2025-H1")
    set_value(services, "TTHC_HAI_LONG", 96, unit=OLD[1], period="2025-H1")
    with services.transaction() as session:
        merge_units(session, list(OLD), NEW, date(2025, 7, 1), "test", name="xã Thạch Hà Mới", kind="xa",
                    parent_code="HT-TH")
    set_value(services, "TTHC_HS_TIEP_NHAN", 500, unit=NEW, period="2025-Y")  # its own, since 1 July
    set_value(services, "TTHC_HAI_LONG", 93, unit=NEW, period="2025-Y")
    return services


def test_the_new_commune_reports_its_predecessors_first_half(tmp_path: Path) -> None:
    services = _merged(tmp_path)
    report = build(services, unit=NEW, period="2025-Y")
    rows = {row.code: row for area in report.areas for row in area.indicators}
    assert (rows["TTHC_HS_TIEP_NHAN"].actual, rows["TTHC_HS_TIEP_NHAN"].rolled_up_from) == (1200.0, 2)
    assert rows["TTHC_HAI_LONG"].actual == 93.0  # the mean of 93, 90 and 96
    tasks = [task for area in report.areas for task in area.tasks]
    assert len(tasks) == 2 * sum(len(items) for _, _, items in COMMUNE_TASKS)  # both predecessors' plans
    done = [task for task in tasks if task.result.startswith("Hoàn thành tại")]
    assert sorted(task.result for task in done) == ["Hoàn thành tại xã Thạch Long", "Hoàn thành tại xã Thạch Đài"]
    assert "Chưa có kế hoạch CCHC năm 2025 của xã Thạch Hà Mới." in report.warnings  # no plan of its own yet


def test_the_district_counts_the_merged_communes_once(tmp_path: Path) -> None:
    services = _merged(tmp_path)
    report = build(services, unit="HT-TH", period="2025-Y")
    received = next(row for area in report.areas for row in area.indicators if row.code == "TTHC_HS_TIEP_NHAN")
    assert received.actual == 1200.0  # 400 + 300 through the new commune, not 400 + 300 + 1200
    completeness = next(annex for annex in report.annexes if annex.key == "completeness")
    names = [str(row[1]).lstrip("– ") for row in completeness.rows]
    assert {"xã Thạch Đài", "xã Thạch Long", "xã Thạch Hà Mới"} <= set(names)
    new_row = next(row for row in completeness.rows if str(row[1]).endswith("xã Thạch Hà Mới"))
    assert cell_text(new_row[4]) == "Đã báo cáo"


def test_old_units_keep_their_history_but_leave_current_lists_and_take_no_new_data(tmp_path: Path) -> None:
    services = _merged(tmp_path)
    with services.sessions() as session:
        current = [row["code"] for row in unit_rows(session, "HT-TH", today=date(2025, 8, 1))]
        every = {row["code"]: row for row in unit_rows(session, "HT-TH", include_all=True, today=date(2025, 8, 1))}
    assert NEW in current and not set(OLD) & set(current)
    assert every[OLD[0]]["valid_to"] == "2025-06-30" and every[OLD[0]]["successor"] == NEW
    # Their own first-half report is still there, as it was filed.
    old = build(services, unit=OLD[0], period="2025-H1")
    assert next(r for a in old.areas for r in a.indicators if r.code == "TTHC_HS_TIEP_NHAN").actual == 400.0
    with services.transaction() as session, pytest.raises(Invalid, match="đã được sáp nhập vào xã Thạch Hà Mới"):
        record_indicator_value(session, services.registry, SYSTEM, find_unit(session, OLD[0]), "TTHC_HS_TIEP_NHAN",
                               "2025-Q4", "12", "", 0)


@pytest.mark.parametrize(("olds", "into", "on", "message"), [
    (["HT-TH"], "HT-TH-TD", date(2025, 7, 1), "vào đơn vị trực thuộc nó"),
    (["HT-TH-TD"], "HT-TH-TD", date(2025, 7, 1), "vào chính nó"),
    (["HT-TH-TD"], "HT-TH-XX", date(2025, 7, 1), "cần tên, loại"),
])
def test_a_merger_that_makes_no_sense_is_refused(tmp_path: Path, olds: list[str], into: str, on: date,
                                                 message: str) -> None:
    services = make_services(tmp_path)
    with services.transaction() as session, pytest.raises(UnitError, match=message):
        merge_units(session, olds, into, on, "test")


def test_a_merger_dated_before_the_unit_existed_is_refused(tmp_path: Path) -> None:
    services = _merged(tmp_path)
    with services.transaction() as session, pytest.raises(UnitError, match="không sau ngày xã Thạch Hà Mới"):
        merge_units(session, [NEW], "HT-TH-CX", date(2025, 6, 1), "test", name="xã Khác", kind="xa",
                    parent_code="HT-TH")
