"""The plan's identity (issue 13, item 3): number, symbol, date, place and issuing body of the seeds' plans.

What each committed seed text writes (tests/fixtures/seeds/):
- 000 Hải Dương: only "(Ban hành kèm theo Kế hoạch số: /KH-UBND ngày tháng 12 năm 2023 của Ủy ban nhân dân
  tỉnh Hải Dương)": number and day blank.
- 001 Hà Tĩnh: the decision's heading "Số: /QĐ-UBND", "Hà Tĩnh, ngày tháng năm 2023" (number, day and month
  blank); its XLSX/CSV appendix only "(ban hành kèm theo Quyết định số /QĐ-UBND ngày /12/2023 …)".
- 004 Hải Phòng: "Số: 4791 /QĐ-UBND", "Hải Phòng, ngày 29 tháng 12 năm 2023" under "ỦY BAN NHÂN DÂN THÀNH PHỐ
  HẢI PHÒNG" (the plan's own "Kèm theo Quyết định số 479/QĐ-UBND" misprint is not taken over the heading).
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from reportsvc.db.models import Plan
from reportsvc.hooks.registry import PluginRegistry, build_registry
from reportsvc.importing import analyse_plan, run_import
from reportsvc.importing.identity import parse_doc_date, read_identity
from tests import seed_fixtures
from tests.test_plan_import import add_unit


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """Return the registry of the built-in area plugins."""
    return build_registry()


EXPECTED = {
    ("000", "docx"): ("", "KH-UBND", None, "ngày tháng 12 năm 2023", "", "Ủy ban nhân dân tỉnh Hải Dương"),
    ("000", "xlsx"): ("", "KH-UBND", None, "ngày tháng 12 năm 2023", "", "Ủy ban nhân dân tỉnh Hải Dương"),
    ("001", "docx"): ("", "QĐ-UBND", None, "ngày tháng năm 2023", "Hà Tĩnh", "Chủ tịch UBND tỉnh"),
    ("001", "csv"): ("", "QĐ-UBND", None, "ngày /12/2023", "", "Chủ tịch UBND tỉnh"),
    ("004", "docx"): ("4791", "QĐ-UBND", date(2023, 12, 29), "ngày 29 tháng 12 năm 2023", "Hải Phòng",
                      "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"),
    ("004", "xlsx"): ("4791", "QĐ-UBND", date(2023, 12, 29), "ngày 29 tháng 12 năm 2023", "",
                      "Ủy ban nhân dân thành phố"),
}


@pytest.mark.parametrize(("seed", "fmt"), sorted(EXPECTED))
def test_the_seeds_numbers_and_dates_are_read(seed: str, fmt: str, registry: PluginRegistry) -> None:
    parsed = analyse_plan(seed_fixtures.build(seed, fmt), f"kh.{fmt}", registry, year=2024)
    got = parsed.identity
    assert (got.number, got.symbol, got.date, got.date_text, got.place, got.issuing_body) == EXPECTED[seed, fmt]
    assert parsed.summary()["identity"]["date"] == (got.date.isoformat() if got.date else None)


def test_heading_forms() -> None:
    identity = read_identity(["UBND TỈNH QUẢNG TRỊ", "Số: 12/KH-UBND", "Quảng Trị, ngày 05 tháng 01 năm 2025"])
    assert (identity.reference, identity.date, identity.place, identity.issuing_body) == \
        ("12/KH-UBND", date(2025, 1, 5), "Quảng Trị", "UBND TỈNH QUẢNG TRỊ")
    blank = read_identity(["Số: …/KH-UBND", "Đông Hà, ngày … tháng … năm 2025"])
    assert (blank.number, blank.symbol, blank.date, blank.date_text) == ("", "KH-UBND", None,
                                                                         "ngày … tháng … năm 2025")
    assert read_identity(["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025"]).symbol == ""
    assert parse_doc_date("29/12/2023") == date(2023, 12, 29) == parse_doc_date("ngày 29 tháng 12 năm 2023")
    assert parse_doc_date("ngày tháng 12 năm 2023") is None and parse_doc_date("31/02/2024") is None


def test_import_stores_the_identity(services) -> None:  # noqa: ANN001
    add_unit(services)
    stored, _ = run_import(services.sessions, seed_fixtures.build("004", "docx"), "hp.docx", "HT", 2024,
                           services.registry, services.settings)
    with services.sessions() as session:
        plan = session.scalars(select(Plan).where(Plan.id == stored.id)).one()
        assert (plan.doc_number, plan.doc_symbol, plan.doc_date, plan.doc_place) == \
            ("4791", "QĐ-UBND", date(2023, 12, 29), "Hải Phòng")
