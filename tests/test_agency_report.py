"""An agency's own report (issue 15, item 6): a department reports on the tasks it leads under its own
header ("UBND TỈNH …" over "SỞ …"), symbol (BC-SNV) and signature."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.db.models import AuditEntry, GeneratedReport
from reportsvc.periods import parse_period
from reportsvc.plugin.testing import docx_text
from reportsvc.report.build import BuildOptions, build_report
from reportsvc.services.agencies import find_agency
from reportsvc.db.lookup import find_unit
from reportsvc.services.runtime import Services
from tests.cli_helpers import ok, refused
from tests.web_fixtures import api_token


def test_an_agency_has_report_settings_drawn_from_its_name_until_it_sets_its_own(demo_services: Services,
                                                                               runner: CliRunner) -> None:
    view = json.loads(ok(runner, "agencies", "settings", "Sở Nội vụ", "--unit", "HT", "--json").output)
    assert view["settings"] == {"parent_body": "UBND TỈNH HÀ TĨNH", "issuing_body": "SỞ NỘI VỤ",
                                "doc_symbol": "BC-SNV", "sign_authority": "", "signer_position": "GIÁM ĐỐC",
                                "signer_name": "", "recipients": ["UBND tỉnh Hà Tĩnh (b/c);", "Lưu: VT."]}
    assert view["own"] == []
    ok(runner, "--user", "admin", "agencies", "settings", "Sở Nội vụ", "--unit", "HT",
       "--set", "sign_authority=KT. GIÁM ĐỐC", "--set", "signer_position=Phó Giám đốc",
       "--set", "signer_name=Nguyễn Văn An")
    view = json.loads(ok(runner, "agencies", "settings", "Sở Nội vụ", "--unit", "HT", "--json").output)
    assert (view["settings"]["sign_authority"], view["settings"]["signer_position"]) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    with demo_services.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "agency.settings"))
    assert entry.new["signer_name"] == "Nguyễn Văn An"
    message = refused(runner, "--user", "admin", "agencies", "settings", "Sở Nội vụ", "--unit", "HT",
                      "--set", "cutoff_day=10")
    assert message.startswith("Lỗi: Cơ quan chỉ đặt được: doc_symbol, sign_authority")


def test_the_agency_report_lists_its_own_tasks_under_its_header_and_signature(demo_services: Services,
                                                                             runner: CliRunner,
                                                                             tmp_path: Path) -> None:
    ok(runner, "--user", "admin", "agencies", "settings", "Sở Nội vụ", "--unit", "HT",
       "--set", "sign_authority=KT. GIÁM ĐỐC", "--set", "signer_position=PHÓ GIÁM ĐỐC")
    result = ok(runner, "--user", "admin", "report", "generate", "--unit", "HT", "--period", "2024-Q4",
                "--format", "docx", "--agency", "Sở Nội vụ", "--number", "15", "--out", str(tmp_path))
    path = Path(result.stdout.strip().splitlines()[0])
    assert path.name == "BC-CCHC_HT-SNV_2024-Q4_v1.docx"
    text = docx_text(path.read_bytes())
    for expected in ("UBND TỈNH HÀ TĨNH", "SỞ NỘI VỤ", "Số: 15/BC-SNV", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
                     "Sở Nội vụ báo cáo kết quả thực hiện công tác cải cách hành chính quý IV năm 2024 như sau:"):
        assert expected in text, expected
    with demo_services.sessions() as session:
        unit = find_unit(session, "HT")
        agency = find_agency(session, unit, "Sở Nội vụ")
        mine = build_report(session, demo_services.registry, "HT", parse_period("2024-Q4"),
                            BuildOptions(agency_id=agency.id))
        whole = build_report(session, demo_services.registry, "HT", parse_period("2024-Q4"))
        row = session.scalar(select(GeneratedReport).where(GeneratedReport.agency_id == agency.id))
    tasks = [t for area in mine.areas for t in area.tasks]
    assert tasks and all("Sở Nội vụ" in t.lead for t in tasks)
    assert len(tasks) < sum(len(area.tasks) for area in whole.areas)
    # Only the indicators of the areas it leads tasks in.
    assert {a.code for a in mine.areas if a.indicators} <= {a.code for a in mine.areas if a.tasks}
    assert mine.header.parent_body == "UBND TỈNH HÀ TĨNH" and mine.header.issuing_body == "SỞ NỘI VỤ"
    assert row is not None and row.version == 1


def test_the_api_generates_an_agency_report_and_an_unknown_agency_is_refused(demo_services: Services,
                                                                            client) -> None:  # noqa: ANN001
    headers = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    response = client.post("/api/v1/reports", json={"unit": "HT", "period": "2024-Q1", "formats": ["docx"],
                                                     "agency": "Sở Tư pháp"}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["agency"] == "Sở Tư pháp" and body["files"][0]["filename"] == "BC-CCHC_HT-STP_2024-Q1_v1.docx"
    response = client.post("/api/v1/reports", json={"unit": "HT", "period": "2024-Q1", "formats": ["docx"],
                                                     "agency": "Sở Không Có"}, headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"] == "Không tìm thấy cơ quan 'Sở Không Có' của tỉnh Hà Tĩnh."
