"""Scheduled runs: reports fall due the day after their data window closes, and run once."""
from __future__ import annotations

from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import GeneratedReport, Unit
from reportsvc.periods import parse_period
from reportsvc.services.generating import generate
from reportsvc.services.schedule import DueRun, due_on, run_due


def test_due_the_day_after_the_cutoff(demo_services) -> None:  # noqa: ANN001
    with demo_services.sessions() as session:
        units = list(session.scalars(select(Unit).where(Unit.code.in_(["HT", "HT-TH-TD"]))))
        assert {(r.unit_code, r.period.key) for r in due_on(date(2024, 3, 15), units)} == {
            ("HT", "2024-Q1"), ("HT-TH-TD", "2024-Q1")}
        assert due_on(date(2024, 3, 14), units) == []
        assert {r.period.key for r in due_on(date(2024, 6, 15), units)} == {"2024-H1"}  # not Q2 by default
        assert {r.period.key for r in due_on(date(2024, 12, 15), units)} == {"2024-Y"}  # Q4 is not filed


def test_unit_settings_choose_kinds_and_cutoff(demo_services) -> None:  # noqa: ANN001
    with demo_services.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        unit.settings = {**unit.settings, "report_kinds": ["Q1", "Q2", "M9"], "cutoff_day": 19}
    with demo_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        assert [r.period.key for r in due_on(date(2024, 6, 20), [unit])] == ["2024-Q2"]
        assert [r.period.key for r in due_on(date(2024, 9, 20), [unit])] == ["2024-M9"]


def test_run_due_generates_each_due_report_once(demo_services) -> None:  # noqa: ANN001
    made: list[tuple[str, str]] = []

    def dispatch(services, run: DueRun) -> None:  # noqa: ANN001 - what a Celery task would do
        made.append((run.unit_code, run.period.key))
        generate(services, run.unit_code, run.period, ["docx"], user="scheduler")

    runs = run_due(demo_services, date(2024, 9, 15), dispatch=dispatch)
    # Every unit with a 2024 plan: the province and its four communes (districts have none).
    due = sorted((code, "2024-Q3") for code in ["HT", "HT-CX-CB", "HT-CX-CV", "HT-TH-TD", "HT-TH-TL"])
    assert sorted(made) == sorted((run.unit_code, run.period.key) for run in runs) == due
    with demo_services.sessions() as session:
        stored = session.execute(select(Unit.code, GeneratedReport.version, GeneratedReport.created_by)
                                 .join(GeneratedReport.unit).where(GeneratedReport.period_key == "2024-Q3")).all()
    assert sorted(stored) == [(code, 1, "scheduler") for code, _ in due]
    # The next run of the same day finds every report made: nothing is dispatched again.
    assert run_due(demo_services, date(2024, 9, 15), dispatch=dispatch) == []
    assert len(made) == len(due)


def test_scheduler_due_run_from_cli(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    listed = runner.invoke(main, ["scheduler", "due", "--date", "15/03/2024"])
    assert listed.exit_code == 0 and "HT 2024-Q1 (quý I năm 2024)" in listed.stdout
    first = runner.invoke(main, ["scheduler", "due", "--date", "15/03/2024", "--run"], catch_exceptions=False)
    assert first.exit_code == 0 and first.stdout.count("2024-Q1") == 5
    again = runner.invoke(main, ["scheduler", "due", "--date", "15/03/2024", "--run"])
    assert "Không có báo cáo đến hạn ngày 15/03/2024." in again.stdout
    reports = runner.invoke(main, ["report", "list", "--json"])
    assert reports.stdout.count('"created_by": "scheduler"') == 5


def test_a_departments_own_report_does_not_stand_for_the_units(demo_services) -> None:  # noqa: ANN001
    generate(demo_services, "HT", parse_period("2024-Q3"), ["docx"], user="test", agency="Sở Nội vụ")
    runs = run_due(demo_services, date(2024, 9, 15), dispatch=lambda services, run: None)
    assert DueRun("HT", parse_period("2024-Q3")) in runs
