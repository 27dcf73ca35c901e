"""Roll-up: a province's indicators aggregate its communes' values by each indicator's rule,
and the completeness annex names who has not reported."""
from __future__ import annotations

from sqlalchemy import select

from reportsvc.report.build import build_report
from reportsvc.collect.context import CollectContext
from reportsvc.collect.rollup import indicator_value
from reportsvc.db.models import IndicatorValue, Unit
from reportsvc.periods import parse_period
from reportsvc.render.view import cell_text
from reportsvc.report.model import Submission


def _value(services, code: str, unit_code: str, period: str) -> tuple[float | None, int]:  # noqa: ANN001
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        context = CollectContext(session, unit, parse_period(period), services.registry)
        return indicator_value(context, services.registry.indicators[code], unit, context.period)


def _stored(services, code: str, period: str) -> dict[str, float]:  # noqa: ANN001
    with services.sessions() as session:
        rows = session.execute(select(Unit.code, IndicatorValue.value).join(Unit).where(
            IndicatorValue.code == code, IndicatorValue.period_key == period)).all()
    return dict(rows)


def test_sum_rolls_up_through_districts(demo_services) -> None:  # noqa: ANN001
    stored = _stored(demo_services, "TTHC_HS_TIEP_NHAN", "2024-Q2")
    communes = {code: v for code, v in stored.items() if code.count("-") == 2}
    assert len(communes) == 4
    assert _value(demo_services, "TTHC_HS_TIEP_NHAN", "HT-TH", "2024-Q2") == (
        communes["HT-TH-TD"] + communes["HT-TH-TL"], 2)
    assert _value(demo_services, "TTHC_HS_TIEP_NHAN", "HT", "2024-Q2") == (sum(communes.values()), 2)


def test_ratio_is_weighted_by_the_counts(demo_services) -> None:  # noqa: ANN001
    online = _stored(demo_services, "TTHC_HS_TRUC_TUYEN", "2024-Q3")
    received = _stored(demo_services, "TTHC_HS_TIEP_NHAN", "2024-Q3")
    expected = round(sum(online.values()) / sum(received.values()) * 100, 2)
    value, _ = _value(demo_services, "TTHC_TY_LE_TRUC_TUYEN", "HT", "2024-Q3")
    assert value == expected
    # Not the mean of the communes' own rates.
    rates = [online[c] / received[c] * 100 for c in online]
    assert value != round(sum(rates) / len(rates), 2)


def test_mean_and_none(demo_services) -> None:  # noqa: ANN001
    satisfaction = _stored(demo_services, "TTHC_HAI_LONG", "2024-Q1")
    district = [satisfaction["HT-CX-CB"], satisfaction["HT-CX-CV"]]
    assert _value(demo_services, "TTHC_HAI_LONG", "HT-CX", "2024-Q1") == (round(sum(district) / 2, 2), 2)
    # "none": only the unit's own value counts, children are never combined.
    assert _value(demo_services, "CD_KIEM_TRA", "HT-TH", "2024-Q1") == (None, 0)
    assert _value(demo_services, "CD_KIEM_TRA", "HT", "2024-Q1") == (8.0, 0)


def test_half_year_uses_the_latest_value_within_the_window(demo_services) -> None:  # noqa: ANN001
    assert _value(demo_services, "CD_KIEM_TRA", "HT", "2024-H1") == (19.0, 0)  # Q2's year-to-date value
    assert _value(demo_services, "CD_KIEM_TRA", "HT", "2024-M9") == (31.0, 0)
    assert _value(demo_services, "CD_KIEM_TRA", "HT", "2024-Y") == (37.0, 0)


def test_indicator_rows_carry_same_period_last_year(demo_services) -> None:  # noqa: ANN001
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Q1"))
    row = next(r for a in report.areas for r in a.indicators if r.code == "CD_KIEM_TRA")
    assert (row.target, row.actual, row.achieved_percent, row.last_year) == (35, 8.0, 22.9, 6.0)


def test_completeness_names_who_has_not_reported(demo_services) -> None:  # noqa: ANN001
    with demo_services.sessions() as session:
        q3 = build_report(session, demo_services.registry, "HT", parse_period("2024-Q3"))
        q2 = build_report(session, demo_services.registry, "HT", parse_period("2024-Q2"))
    table = next(a for a in q3.annexes if a.key == "completeness")
    assert [table.rows[index][1] for index in table.group_rows] == ["CÁC CƠ QUAN CHỦ TRÌ", "CÁC ĐƠN VỊ CẤP DƯỚI"]
    status = {row[1].lstrip("– "): cell_text(row[4]) for row in table.rows}
    assert status["Sở Tài chính"] == "Chưa báo cáo"  # the demo's department that skipped quý III
    assert status["Sở Nội vụ"] == "Đã báo cáo"
    assert status["huyện Thạch Hà"] == "Đã báo cáo"
    assert status["xã Thạch Đài"] == "Đã báo cáo"
    finance = next(row for row in table.rows if row[1] == "Sở Tài chính")
    assert finance[2:5] == [3, 0, Submission(reported=False)]
    q2_status = {row[1]: row[4] for row in next(a for a in q2.annexes if a.key == "completeness").rows}
    assert q2_status["Sở Tài chính"] == Submission(reported=True)


def test_a_unit_without_a_plan_rolls_up_but_borrows_no_tasks(demo_services) -> None:  # noqa: ANN001
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT-TH", parse_period("2024-Y"))
    assert all(not area.tasks for area in report.areas)  # the province's tasks are not the district's
    assert "Chưa có kế hoạch CCHC năm 2024 của huyện Thạch Hà." in report.warnings
    received = next(r for a in report.areas for r in a.indicators if r.code == "TTHC_HS_TIEP_NHAN")
    assert received.actual is not None and received.rolled_up_from == 2
