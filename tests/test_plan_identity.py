"""The plan's identity (issue 13, item 3): number, symbol, date, place and issuing body of the seeds' plans.

What each committed seed text writes (tests/fixtures/seeds/):
- 000 Hải Dương: only "(Ban hành kèm theo Kế hoạch số: /KH-UBND ngày tháng 12 năm 2023 của Ủy ban nhân dân
  tỉnh Hải Dương)": number and day blank.
- 001 Hà Tĩnh: the decision's heading "Số: /QĐ-UBND", "Hà Tĩnh, ngày tháng năm 2023" (number, day and month
  blank); its XLSX/CSV appendix only "(ban hành kèm theo Quyết định số /QĐ-UBND ngày /12/2023 …)".
- 003 Tứ Kỳ: only "(Ban hành kèm theo Kế hoạch số:           /KH-UBND ngày          /12/2022 của Uỷ ban nhân dân
  huyện Tứ Kỳ )": number and day blank (its PDF reads the same: tests/test_plan_import_pdf.py).
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
from tests.test_plan_import import YEARS, add_unit


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """Return the registry of the built-in area plugins."""
    return build_registry()


EXPECTED = {
    ("000", "docx"): ("", "KH-UBND", None, "ngày tháng 12 năm 2023", "", "Ủy ban nhân dân tỉnh Hải Dương"),
    ("000", "xlsx"): ("", "KH-UBND", None, "ngày tháng 12 năm 2023", "", "Ủy ban nhân dân tỉnh Hải Dương"),
    ("001", "docx"): ("", "QĐ-UBND", None, "ngày tháng năm 2023", "Hà Tĩnh", "Chủ tịch UBND tỉnh"),
    ("001", "csv"): ("", "QĐ-UBND", None, "ngày /12/2023", "", "Chủ tịch UBND tỉnh"),
    ("003", "docx"): ("", "KH-UBND", None, "ngày /12/2022", "", "Uỷ ban nhân dân huyện Tứ Kỳ"),
    ("003", "csv"): ("", "KH-UBND", None, "ngày /12/2022", "", "Uỷ ban nhân dân huyện Tứ Kỳ"),
    ("004", "docx"): ("4791", "QĐ-UBND", date(2023, 12, 29), "ngày 29 tháng 12 năm 2023", "Hải Phòng",
                      "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"),
    ("004", "xlsx"): ("4791", "QĐ-UBND", date(2023, 12, 29), "ngày 29 tháng 12 năm 2023", "",
                      "Ủy ban nhân dân thành phố"),
}


@pytest.mark.parametrize(("seed", "fmt"), sorted(EXPECTED))
def test_the_seeds_numbers_and_dates_are_read(seed: str, fmt: str, registry: PluginRegistry) -> None:
    parsed = analyse_plan(seed_fixtures.build(seed, fmt), f"kh.{fmt}", registry, year=YEARS[seed])
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


# ---------------------------------------------------------------- blanks filled in later: web, CLI, API

from click.testing import CliRunner  # noqa: E402

from reportsvc.cli.main import main  # noqa: E402
from reportsvc.db.models import AuditEntry, Unit  # noqa: E402
from tests.web_fixtures import api_token, csrf_app, login  # noqa: E402,F401 - csrf_app is a fixture


def _ht_plan(services) -> tuple[int, int]:  # noqa: ANN001
    """Return the id of the demo province's plan and of its unit, its identity blanked."""
    with services.transaction() as session:
        plan = session.scalar(select(Plan).join(Unit).where(Unit.code == "HT", Plan.year > 0).order_by(Plan.year))
        plan.doc_number, plan.doc_symbol, plan.doc_date = "", "KH-UBND", None
        plan.doc_date_text, plan.doc_place, plan.issuing_body = "ngày tháng 12 năm 2023", "", ""
        return plan.id, plan.unit_id


def _identity_audit(services) -> list[AuditEntry]:  # noqa: ANN001
    with services.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.identity")
                                    .order_by(AuditEntry.id)))


def test_the_plan_page_fills_in_the_blanks(csrf_app, demo_services) -> None:  # noqa: ANN001
    plan_id, unit_id = _ht_plan(demo_services)
    client = csrf_app.test_client()
    token = login(client, "admin")
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Văn bản kế hoạch" in page and "/KH-UBND" in page and "ngày tháng 12 năm 2023" in page
    url = f"/plans/{plan_id}/identity"
    form = {"csrf_token": token, "number": "215", "symbol": "KH-UBND", "date": "31/02/2024", "place": "Hà Tĩnh",
            "issuing_body": "Ủy ban nhân dân tỉnh Hà Tĩnh"}
    bad = client.post(url, data=form)
    assert "Ngày ban hành không hợp lệ: &#39;31/02/2024&#39;" in client.get(bad.location).get_data(as_text=True)
    assert client.post(url, data={**form, "date": "28/12/2023", "csrf_token": ""}).status_code == 400
    done = client.post(url, data={**form, "date": "28/12/2023"})
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert "215/KH-UBND" in page and "Đã lưu số, ký hiệu và ngày" in page
    with demo_services.sessions() as session:
        plan = session.get(Plan, plan_id)
        assert (plan.doc_number, plan.doc_date, plan.doc_date_text, plan.doc_place) == \
            ("215", date(2023, 12, 28), "ngày 28 tháng 12 năm 2023", "Hà Tĩnh")
    [entry] = _identity_audit(demo_services)
    assert (entry.actor, entry.entity_id, entry.unit_id) == ("admin", str(plan_id), unit_id)
    assert entry.old["number"] == "" and entry.new["number"] == "215" and "symbol" not in entry.new
    # A viewer may not change it.
    viewer = csrf_app.test_client()
    viewer_token = login(viewer, "xem")
    assert viewer.post(url, data={**form, "csrf_token": viewer_token, "number": "9"}).status_code in (302, 403)
    with demo_services.sessions() as session:
        assert session.get(Plan, plan_id).doc_number == "215"


def test_plan_set_on_the_command_line(demo_services) -> None:  # noqa: ANN001
    plan_id, unit_id = _ht_plan(demo_services)
    result = CliRunner().invoke(main, ["plan", "set", str(plan_id), "--number", "4791", "--date", "29/12/2023",
                                       "--place", "Hà Tĩnh"])
    assert result.exit_code == 0, result.output
    assert "4791/KH-UBND" in result.output and "ngày 29 tháng 12 năm 2023" in result.output
    with demo_services.sessions() as session:
        plan = session.get(Plan, plan_id)
        assert (plan.doc_number, plan.doc_symbol, plan.doc_date, plan.doc_place, plan.issuing_body) == \
            ("4791", "KH-UBND", date(2023, 12, 29), "Hà Tĩnh", "")
    [entry] = _identity_audit(demo_services)
    assert entry.unit_id == unit_id and set(entry.new) == {"number", "reference", "date", "date_text", "place"}
    bad_date = CliRunner().invoke(main, ["plan", "set", str(plan_id), "--date", "2023-13-40"])
    assert bad_date.exit_code == 2 and "Ngày không hợp lệ" in bad_date.output
    slash = CliRunner().invoke(main, ["plan", "set", str(plan_id), "--number", "4791/QĐ-UBND"])
    assert slash.exit_code == 2 and "ký hiệu" in slash.output
    nothing = CliRunner().invoke(main, ["plan", "set", str(plan_id)])
    assert nothing.exit_code == 2 and "Cần ít nhất một" in nothing.output
    missing = CliRunner().invoke(main, ["plan", "set", "999999", "--number", "1"])
    assert missing.exit_code == 2 and "Không tìm thấy kế hoạch số 999999" in missing.output
    assert len(_identity_audit(demo_services)) == 1


def test_patch_plan_identity_over_the_api(app, demo_services) -> None:  # noqa: ANN001
    plan_id, unit_id = _ht_plan(demo_services)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    done = client.patch(f"/api/v1/plans/{plan_id}", json={"number": "12", "date": "2024-01-05",
                                                           "issuing_body": "UBND tỉnh Hà Tĩnh"}, headers=admin)
    assert done.status_code == 200, done.get_json()
    identity = done.get_json()["identity"]
    assert (identity["reference"], identity["date"], identity["issuing_body"]) == \
        ("12/KH-UBND", "2024-01-05", "UBND tỉnh Hà Tĩnh")
    assert client.get(f"/api/v1/plans/{plan_id}", headers=admin).get_json()["identity"]["number"] == "12"
    for body, reason in (({"date": "05/13/2024"}, "Ngày ban hành (date) không hợp lệ"),
                         ({"number": "x" * 40}, ""), ({"colour": "red"}, ""), ({}, "Cần ít nhất một"),
                         ({"number": "12/KH-UBND"}, "ký hiệu")):
        refused = client.patch(f"/api/v1/plans/{plan_id}", json=body, headers=admin)
        assert refused.status_code == 422, (body, refused.get_json())
        assert refused.get_json()["error"].startswith("Dữ liệu không hợp lệ") and reason in refused.get_json()["error"]
    cleared = client.patch(f"/api/v1/plans/{plan_id}", json={"date": None}, headers=admin)
    assert cleared.status_code == 200 and cleared.get_json()["identity"]["date"] is None
    viewer = {"Authorization": f"Bearer {api_token(demo_services, 'xem')}"}
    assert client.patch(f"/api/v1/plans/{plan_id}", json={"number": "1"}, headers=viewer).status_code == 403
    assert client.patch("/api/v1/plans/999999", json={"number": "1"}, headers=admin).status_code == 404
    entries = _identity_audit(demo_services)
    assert [e.actor for e in entries] == ["admin", "admin"] and {e.unit_id for e in entries} == {unit_id}
    assert entries[1].old["date"] == "2024-01-05" and entries[1].new["date"] is None
