"""Uploaded file names lose their bidirectional and other invisible control characters before they are shown
or stored: a right-to-left override (U+202E) cannot make ``KH<RLO>xcod.exe`` read as ``KHexe.docx`` on the
preview, in the plan list, in the audit trail, on the command line or in an error message."""
from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import AuditEntry, Plan
from reportsvc.importing import PlanImportError, analyse_plan
from reportsvc.importing.safety import MAX_NAME_LENGTH, display_name
from reportsvc.importing.units import UnitListError, read_unit_list
from reportsvc.services.runtime import Services
from tests.web_fixtures import csrf_app, csrf_from, login, plan_docx  # noqa: F401 - fixture

RLO, PDF, LRI, PDI, LRM, RLM, ZWSP, BOM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200e", "\u200f", "\u200b", "\ufeff"
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")  # format characters (Cf)


@pytest.mark.parametrize(("sent", "kept"), [
    (f"KH_CCHC_2025{RLO}xcod.exe", "KH_CCHC_2025xcod.exe"),
    (f"{LRI}Kế hoạch{PDI} {RLM}2025{LRM}.docx", "Kế hoạch 2025.docx"),
    (f"{BOM}KH{ZWSP}CCHC{RLO}{PDF}.xlsx", "KHCCHC.xlsx"),
    ("KH\x00CCHC\n2025\t.csv", "KH CCHC 2025 .csv"),
    ("C:\\Users\\vanthu\\Desktop\\KH CCHC.docx", "KH CCHC.docx"),  # a whole Windows path: its last part
    ("../../etc/KH.docx", "KH.docx"),
    (unicodedata.normalize("NFD", "Kế hoạch cải cách.docx"), "Kế hoạch cải cách.docx"),  # macOS names: NFC
    (f"{RLO}{LRM}", "tệp"),
    ("", "tệp"),
])
def test_display_name_removes_what_cannot_be_seen(sent: str, kept: str) -> None:
    assert display_name(sent) == kept


def test_display_name_keeps_a_long_name_within_the_column_and_its_extension() -> None:
    name = display_name("Kế hoạch " * 60 + ".docx")
    assert len(name) <= MAX_NAME_LENGTH and name.endswith(".docx")


def test_an_upload_with_an_override_is_shown_and_stored_without_it(csrf_app: Flask,  # noqa: F811
                                                                  demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    sent = f"KH{RLO}xcod.exe{LRM}.docx"
    response = client.post("/plans/upload", data={
        "csrf_token": csrf, "unit": "HT-TH-TD", "year": "2025", "file": (io.BytesIO(plan_docx()), sent)},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    token = response.location.rsplit("/", 1)[1]
    kept = json.loads((Path(demo_services.settings.data_dir) / "uploads" / f"{token}.json").read_text())
    assert kept["filename"] == "KHxcod.exe.docx"

    preview = client.get(response.location).get_data(as_text=True)
    assert "KHxcod.exe.docx" in preview and not INVISIBLE.search(preview)
    assert client.post(f"{response.location}/confirm", data={"csrf_token": csrf}).status_code == 302
    with demo_services.sessions() as session:
        plan = session.scalar(select(Plan).where(Plan.year == 2025))
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.import")
                               .order_by(AuditEntry.id.desc()))
    assert plan.source_filename == "KHxcod.exe.docx" and entry.new["file"] == "KHxcod.exe.docx"
    listing = client.get("/plans").get_data(as_text=True)
    assert "KHxcod.exe.docx" in listing and not INVISIBLE.search(listing)


def test_a_refused_upload_names_the_file_without_the_override(csrf_app: Flask) -> None:  # noqa: F811
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    response = client.post("/plans/upload", data={
        "csrf_token": csrf, "unit": "HT", "year": "2025", "file": (io.BytesIO(b""), f"rong{RLO}fdp.docx")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tệp &#39;rongfdp.docx&#39; rỗng" in page and RLO not in page


def test_the_command_line_import_stores_and_prints_the_clean_name(runner: CliRunner, demo_services: Services,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / f"KH{RLO}xslx.csv{ZWSP}.docx"
    path.write_bytes(plan_docx())
    result = runner.invoke(main, ["plan", "import", str(path), "--unit", "HT-TH-TD", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert not INVISIBLE.search(result.output)
    with demo_services.sessions() as session:
        assert session.scalar(select(Plan.source_filename).where(Plan.year == 2025)) == "KHxslx.csv.docx"


def test_error_messages_of_plan_and_unit_list_files_name_the_clean_file() -> None:
    with pytest.raises(PlanImportError) as plan_error:
        analyse_plan(b"", f"KH{RLO}cod.exe", registry=None)
    assert str(plan_error.value) == "Tệp 'KHcod.exe' rỗng (0 byte); không có gì để nhập."
    with pytest.raises(UnitListError) as list_error:
        read_unit_list("mã;tên\n1;2\n".encode(), f"{LRI}danh_muc{PDI}{RLM}.csv")
    assert "'danh_muc.csv'" in str(list_error.value) and not INVISIBLE.search(str(list_error.value))
