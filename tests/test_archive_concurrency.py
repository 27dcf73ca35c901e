"""Version numbers in the archive under load: many reports of one unit and period made at once are numbered
1, 2, 3 … without an error, a gap or a repeat, on SQLite (writes serialise) and PostgreSQL (an advisory lock,
and a new number when a writer that does not lock took it).
"""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, text

from reportsvc.db.lookup import find_unit
from reportsvc.db.models import GeneratedReport
from reportsvc.periods import parse_period
from reportsvc.report import archive
from reportsvc.report.build import build_report
from reportsvc.services.generating import generate
from reportsvc.services.runtime import Services

UNIT = "HT-TH-TD"
AT_ONCE = 8


def versions(services: Services, period_key: str) -> list[int]:
    """Return the archived versions of the unit's report for the period, in order."""
    with services.sessions() as session:
        unit = find_unit(session, UNIT)
        return list(session.scalars(select(GeneratedReport.version).where(
            GeneratedReport.unit_id == unit.id, GeneratedReport.period_key == period_key)
            .order_by(GeneratedReport.version)))


def test_eight_reports_of_one_unit_and_period_made_at_once_are_versions_one_to_eight(
        demo_services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    period = parse_period("2024-Q1")
    demo_services.registry  # noqa: B018 - loaded once, before the threads share it
    # Every thread builds and renders its report, then all archive it at the same moment.
    at_the_archive = threading.Barrier(AT_ONCE, timeout=180)
    save = archive.save

    def save_together(*args: Any, **kwargs: Any) -> GeneratedReport:
        at_the_archive.wait()
        return save(*args, **kwargs)

    monkeypatch.setattr(archive, "save", save_together)
    made: list[int] = []
    errors: list[BaseException] = []

    def make() -> None:
        try:
            made.append(generate(demo_services, UNIT, period, ["docx"], user="thread").version)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=make) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert errors == [] and sorted(made) == list(range(1, AT_ONCE + 1))
    assert versions(demo_services, period.key) == list(range(1, AT_ONCE + 1))
    with demo_services.sessions() as session:
        names = set(session.scalars(select(GeneratedReport.title)))
        files = {file.filename for row in session.scalars(select(GeneratedReport)) for file in row.files
                 if file.format == "docx"}
    assert len(names) == 1 and files == {f"BC-CCHC_{UNIT}_2024-Q1_v{n}.docx" for n in range(1, AT_ONCE + 1)}


def _blocked_on_a_lock(services: Services) -> bool:
    """Return True when a PostgreSQL session of this database waits for a lock held by another."""
    with services.engine.connect() as connection:
        return bool(connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")))


def test_a_number_taken_by_a_writer_that_does_not_lock_is_taken_again(demo_services: Services) -> None:
    period = parse_period("2024-H1")
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, UNIT, period)
        unit_id = find_unit(session, UNIT).id
    # A process of an older release archives version 1 without the lock and has not committed yet.
    old = demo_services.sessions()
    old.add(GeneratedReport(unit_id=unit_id, period_key=period.key, version=1, title=report.subject,
                            model_json="{}", created_by="older-release"))
    old.flush()
    outcome: dict[str, Any] = {}

    def archive_now() -> None:
        try:
            with demo_services.transaction() as session:
                outcome["version"] = archive.save(session, find_unit(session, UNIT), report, {"docx": b"PK"},
                                                  "worker").version
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=archive_now)
    thread.start()
    if demo_services.engine.dialect.name == "postgresql":
        # Ours numbered itself 1 too and waits on the unique index for the older writer's transaction.
        deadline = time.monotonic() + 30
        while not _blocked_on_a_lock(demo_services):
            assert time.monotonic() < deadline and thread.is_alive(), outcome
            time.sleep(0.05)
    else:
        thread.join(0.5)  # SQLite: ours waits for the older writer's write lock before numbering
        assert thread.is_alive(), outcome
    old.commit()
    old.close()
    thread.join(60)
    assert outcome == {"version": 2}
    assert versions(demo_services, period.key) == [1, 2]
