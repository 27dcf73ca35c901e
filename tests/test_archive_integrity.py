"""Archive integrity on read: a file whose stored bytes were changed in the database is never served under its
old hash. The web page and the API refuse it with a Vietnamese error (500: the installation's data is damaged,
nothing the user sends can fix it) and an audit entry ``report.integrity``; ``reportsvc report verify`` finds it."""
from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select, update

from reportsvc.cli.main import main
from reportsvc.db.models import AuditEntry, GeneratedReport, ReportFile, Unit
from reportsvc.report import archive
from reportsvc.report.archive import ArchiveIntegrityError
from reportsvc.services import downloads
from reportsvc.services.accounts import create_user
from reportsvc.services.runtime import Services
from tests.web_fixtures import api_token, csrf_app, login  # noqa: F401 - fixture

DOCX = b"PK\x03\x04 noi dung bao cao quy I"
PDF = b"%PDF-1.7 noi dung bao cao quy I"


def archived(services: Services, unit_code: str = "HT", version: int = 1) -> int:
    """Store a report version with a DOCX and a PDF and their true sha256, as archive.save does; return its id."""
    with services.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        row = GeneratedReport(unit_id=unit.id, period_key="2024-Q1", version=version, title="Báo cáo quý I",
                              model_json="{}", created_by="test")
        for fmt, content in (("docx", DOCX), ("pdf", PDF)):
            row.files.append(ReportFile(format=fmt, filename=f"BC-CCHC_{unit_code}_2024-Q1_v{version}.{fmt}",
                                        size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                        content=content))
        session.add(row)
        session.flush()
        return row.id


def tamper(services: Services, report_id: int, fmt: str, content: bytes) -> None:
    """Change a stored file's bytes directly in the database, leaving its recorded sha256 as it was."""
    with services.transaction() as session:
        session.execute(update(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == fmt)
                        .values(content=content))


def integrity_entries(services: Services) -> list[AuditEntry]:
    """Return the audit entries of refused downloads, oldest first."""
    with services.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "report.integrity")
                                    .order_by(AuditEntry.id)))


def test_an_intact_file_downloads_and_a_changed_one_is_refused_on_the_page(csrf_app: Flask,  # noqa: F811
                                                                            demo_services: Services) -> None:
    report_id = archived(demo_services)
    client = csrf_app.test_client()
    login(client, "admin")
    intact = client.get(f"/reports/{report_id}/files/docx")
    assert (intact.status_code, intact.data) == (200, DOCX)

    tamper(demo_services, report_id, "docx", DOCX.replace(b"quy I", b"quy 2"))
    refused = client.get(f"/reports/{report_id}/files/docx")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 500
    assert DOCX[:20].decode() not in page and refused.mimetype == "text/html"
    assert "Tệp lưu trữ không còn nguyên vẹn" in page
    assert f"Không tải được tệp &#39;BC-CCHC_HT_2024-Q1_v1.docx&#39; của báo cáo số {report_id}" in page
    assert "reportsvc report verify --all" in page
    # The other file of the same version is untouched and still served.
    assert client.get(f"/reports/{report_id}/files/pdf").data == PDF

    [entry] = integrity_entries(demo_services)
    assert (entry.actor, entry.entity, entry.entity_id) == ("admin", "report", str(report_id))
    assert entry.old["sha256"] == hashlib.sha256(DOCX).hexdigest() and entry.old["file"] == "BC-CCHC_HT_2024-Q1_v1.docx"
    assert entry.new["sha256"] == hashlib.sha256(DOCX.replace(b"quy I", b"quy 2")).hexdigest()
    audit_page = client.get("/admin/audit").get_data(as_text=True)
    assert "Từ chối tải tệp báo cáo bị thay đổi (sai SHA-256)" in audit_page


def test_the_api_refuses_a_changed_file_with_a_json_error(csrf_app: Flask,  # noqa: F811
                                                          demo_services: Services) -> None:
    report_id = archived(demo_services)
    headers = {"Authorization": f"Bearer {api_token(demo_services, 'xem')}"}  # a viewer may download
    client = csrf_app.test_client()
    assert client.get(f"/api/v1/reports/{report_id}/files/pdf", headers=headers).data == PDF
    tamper(demo_services, report_id, "pdf", PDF + b"\n% them mot dong")
    refused = client.get(f"/api/v1/reports/{report_id}/files/pdf", headers=headers)
    assert refused.status_code == 500
    assert refused.get_json()["error"].startswith(
        f"Không tải được tệp 'BC-CCHC_HT_2024-Q1_v1.pdf' của báo cáo số {report_id}: nội dung đã bị thay đổi")
    [entry] = integrity_entries(demo_services)
    assert entry.actor == "xem" and entry.new["size"] == len(PDF) + len(b"\n% them mot dong")
    with demo_services.sessions() as session:
        assert entry.unit_id == session.scalar(select(Unit.id).where(Unit.code == "HT"))  # HT's admins see it


def test_a_changed_hash_is_caught_as_well_as_changed_bytes(demo_services: Services) -> None:
    report_id = archived(demo_services)
    with demo_services.transaction() as session:
        session.execute(update(ReportFile).where(ReportFile.report_id == report_id, ReportFile.format == "docx")
                        .values(sha256=hashlib.sha256(b"tep khac").hexdigest()))
    with demo_services.sessions() as session:
        with pytest.raises(ArchiveIntegrityError) as caught:
            downloads.report_file(session, report_id, "docx", user="kiem-tra")
        assert caught.value.http_status == 500 and caught.value.exit_code == 3
        assert downloads.report_file(session, report_id, "pdf").content == PDF
    assert [entry.actor for entry in integrity_entries(demo_services)] == ["kiem-tra"]


def test_verify_checks_the_archive_and_lists_the_bad_files(runner: CliRunner, demo_services: Services) -> None:
    first, second = archived(demo_services, version=1), archived(demo_services, version=2)
    clean = runner.invoke(main, ["report", "verify", "--all"])
    assert (clean.exit_code, clean.stdout) == (0, "Đã kiểm tra 4 tệp: tất cả khớp SHA-256 đã ghi.\n")

    tamper(demo_services, second, "pdf", b"%PDF-1.7 da bi sua")
    damaged = runner.invoke(main, ["report", "verify", "--all"])
    assert damaged.exit_code == 3
    assert damaged.stdout.startswith(f"HỎNG: báo cáo số {second}, tệp BC-CCHC_HT_2024-Q1_v2.pdf (pdf): sha256 lưu "
                                     f"khi tạo {hashlib.sha256(PDF).hexdigest()[:16]}…")
    assert len(damaged.stdout.splitlines()) == 1
    assert damaged.stderr == ("Lỗi: 1/4 tệp trong kho lưu trữ không khớp SHA-256 đã ghi; khôi phục các tệp trên "
                              "từ bản sao lưu hoặc tạo lại báo cáo.\n")
    one = runner.invoke(main, ["report", "verify", "--id", str(first)])
    assert (one.exit_code, one.stdout) == (0, "Đã kiểm tra 2 tệp: tất cả khớp SHA-256 đã ghi.\n")
    assert runner.invoke(main, ["report", "verify", "--id", str(second)]).exit_code == 3
    assert integrity_entries(demo_services) == []  # verifying reads only; refused downloads are what is audited


@pytest.mark.parametrize(("args", "message"), [
    ([], "Lỗi: Hãy chọn --all (cả kho lưu trữ) hoặc --id MÃ (một báo cáo), không dùng cả hai.\n"),
    (["--all", "--id", "1"], "Lỗi: Hãy chọn --all (cả kho lưu trữ) hoặc --id MÃ (một báo cáo), không dùng cả hai.\n"),
    (["--id", "99999999999"], "Lỗi: Mã báo cáo không hợp lệ: '99999999999' (cần số nguyên từ 1 đến 2147483647).\n"),
    (["--id", "4242"], "Lỗi: Không tìm thấy báo cáo số 4242\n"),
])
def test_verify_needs_one_choice_and_a_known_report(runner: CliRunner, demo_services: Services, args: list[str],
                                                    message: str) -> None:
    result = runner.invoke(main, ["report", "verify", *args])
    assert (result.exit_code, result.stderr) == (2, message)


def test_verify_as_a_user_checks_only_its_units(runner: CliRunner, demo_services: Services) -> None:
    province = archived(demo_services, "HT")
    commune = archived(demo_services, "HT-TH-TD")
    tamper(demo_services, province, "docx", b"sua")
    with demo_services.transaction() as session:
        create_user(session, "xem_thachdai", "viewer", "lua-chin-vang-dong-2025", unit_code="HT-TH-TD")
    with demo_services.sessions() as session:
        assert archive.verify(session, [commune]) == (2, [])
    # The commune's viewer sees only the commune's report: the province's damaged file is not its to check.
    as_commune = runner.invoke(main, ["--user", "xem_thachdai", "report", "verify", "--all"])
    assert (as_commune.exit_code, as_commune.stdout) == (0, "Đã kiểm tra 2 tệp: tất cả khớp SHA-256 đã ghi.\n")
    assert runner.invoke(main, ["--user", "admin", "report", "verify", "--all"]).exit_code == 3
