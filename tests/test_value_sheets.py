"""Bulk entry of indicator values from a spreadsheet (issue 14, item 3): the XLSX template of a unit and period,
filled in with openpyxl, uploaded with a preview and confirmed on the web, or imported with
``reportsvc values import``; every refusal leaves the database as it was."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from reportsvc.db.models import AuditEntry, IndicatorValue, Submission, Unit, User
from reportsvc.importing.safety import MB
from reportsvc.services.permissions import Actor, editable_indicators
from reportsvc.services.recording import current_value, record_indicator_value
from reportsvc.services.runtime import Services
from reportsvc.services.units import add_unit
from reportsvc.services.value_sheets import CODES_ROW, FIRST_COL, FIRST_ROW, META_TITLE, NAMES_ROW
from tests.cli_helpers import ok, refused
from tests.web_fixtures import csrf_app, login  # noqa: F401 - fixture

PERIOD = "2024-Q2"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- helpers

def sheet_columns(workbook: openpyxl.Workbook) -> dict[str, int]:
    """Return the indicator columns of a template: code → column number (read from the hidden code row)."""
    ws = workbook.worksheets[0]
    return {ws.cell(row=CODES_ROW, column=c).value: c for c in range(FIRST_COL, ws.max_column + 1)
            if ws.cell(row=CODES_ROW, column=c).value}


def sheet_rows(workbook: openpyxl.Workbook) -> dict[str, int]:
    """Return the unit rows of a template: unit code → row number."""
    ws = workbook.worksheets[0]
    return {ws.cell(row=r, column=1).value: r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def fill(data: bytes, values: dict[tuple[str, str], Any], rows: list[list[Any]] = ()) -> bytes:
    """Return the template with cells set by (unit code, indicator code), and extra rows appended."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    ws, columns, units = workbook.worksheets[0], sheet_columns(workbook), sheet_rows(workbook)
    for (unit, code), value in values.items():
        ws.cell(row=units[unit], column=columns[code]).value = value
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cell_ref(data: bytes, unit: str, code: str) -> str:
    """Return the reference ("D9") of a unit's cell of an indicator in a template."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return f"{openpyxl.utils.get_column_letter(sheet_columns(workbook)[code])}{sheet_rows(workbook)[unit]}"


def stored(services: Services) -> list[tuple[Any, ...]]:
    """Return every stored indicator value with its version, and the number of audit entries."""
    with services.sessions() as session:
        values = session.execute(select(IndicatorValue.code, IndicatorValue.unit_id, IndicatorValue.period_key,
                                        IndicatorValue.value, IndicatorValue.version)
                                 .order_by(IndicatorValue.id)).all()
        return [*values, ("audit", session.scalar(select(func.count(AuditEntry.id))))]


def value_of(services: Services, unit: str, code: str, period: str = PERIOD) -> float | None:
    """Return the stored value of a unit's indicator for a period (either key of its record)."""
    with services.sessions() as session:
        row = current_value(session, code, session.scalar(select(Unit).where(Unit.code == unit)), period)
        return row.value if row is not None else None


def cli_template(runner: CliRunner, tmp_path: Path, unit: str = "HT", period: str = PERIOD, *user: str) -> bytes:
    """Write a template with ``reportsvc [--user U] values template`` and return its bytes."""
    path = tmp_path / f"mau_{unit}_{period}.xlsx"
    ok(runner, *user, "values", "template", "--unit", unit, "--period", period, "-o", str(path))
    return path.read_bytes()


def cli_import(runner: CliRunner, tmp_path: Path, data: bytes, *args: str, name: str = "da_dien.xlsx") -> list[str]:
    """Write ``data`` to a file and return the arguments importing it."""
    path = tmp_path / name
    path.write_bytes(data)
    return ["values", "import", str(path), *args]


def upload(client: FlaskClient, csrf: str, data: bytes, unit: str = "HT", period: str = PERIOD,
           filename: str = "so_lieu.xlsx") -> Any:
    """Upload a file on the page as the signed-in user."""
    return client.post("/values/upload", data={"csrf_token": csrf, "unit": unit, "period": period,
                                               "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def system() -> Actor:
    """The actor of a command run without --user."""
    return Actor(id=0, username="test", full_name="test", role="superadmin")


# ---------------------------------------------------------------- the web: download, fill, preview, confirm

def test_web_download_fill_preview_and_confirm(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    indicators = client.get(f"/indicators?unit=HT&period={PERIOD}").get_data(as_text=True)
    assert f'href="/values?unit=HT&amp;period={PERIOD}"' in indicators  # the indicator page leads here
    page = client.get(f"/values?unit=HT&period={PERIOD}")
    assert page.status_code == 200 and "Tải mẫu .xlsx" in page.get_data(as_text=True)
    response = client.get(f"/values/template?unit=HT&period={PERIOD}")
    assert response.status_code == 200 and response.mimetype == XLSX
    template = response.data
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    ws = workbook.worksheets[0]
    header = " ".join(str(ws.cell(row=r, column=1).value) for r in range(1, NAMES_ROW))
    assert "HT — tỉnh Hà Tĩnh" in header
    assert "2024-Q2 — Quý II/2024 (dùng chung cho 6 tháng 2024)" in header
    assert "lũy kế từ đầu năm" in header
    assert workbook[META_TITLE].sheet_state == "veryHidden" and ws.row_dimensions[CODES_ROW].hidden
    assert list(sheet_rows(workbook)) == ["HT", "HT-CX", "HT-CX-CB", "HT-CX-CV", "HT-TH", "HT-TH-TD", "HT-TH-TL"]
    kiem_tra = value_of(demo_services, "HT", "CD_KIEM_TRA")
    assert kiem_tra is not None  # pre-filled with what is stored
    assert ws.cell(row=sheet_rows(workbook)["HT"], column=sheet_columns(workbook)["CD_KIEM_TRA"]).value == kiem_tra
    names = [ws.cell(row=NAMES_ROW, column=c).value for c in sheet_columns(workbook).values()]
    assert "Tổng số hồ sơ TTHC tiếp nhận (đơn vị tính: hồ sơ)" in names

    filled = fill(template, {("HT-TH-TD", "TTHC_HS_TIEP_NHAN"): "1.234", ("HT", "CD_KIEM_TRA"): "94,5%",
                             ("HT-TH-TL", "TTHC_HS_TRUC_TUYEN"): 56})
    before = stored(demo_services)
    with demo_services.sessions() as session:
        last_entry = session.scalar(select(func.max(AuditEntry.id)))
    preview = upload(client, csrf, filled)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text[:2000]
    assert "chưa có gì được lưu" in text
    assert "xã Thạch Đài" in text and "1.234 hồ sơ" in text
    assert f"{kiem_tra:g}%".replace(".", ",") in text and "94,5%" in text
    assert stored(demo_services) == before  # the preview stores nothing
    token = re.search(r"/values/upload/([A-Za-z0-9_-]+)/confirm", text).group(1)

    done = client.post(f"/values/upload/{token}/confirm", data={"csrf_token": csrf, "period": PERIOD})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    assert value_of(demo_services, "HT-TH-TD", "TTHC_HS_TIEP_NHAN") == 1234
    assert value_of(demo_services, "HT", "CD_KIEM_TRA") == 94.5
    assert value_of(demo_services, "HT-TH-TL", "TTHC_HS_TRUC_TUYEN", "2024-H1") == 56  # one record, both keys
    with demo_services.sessions() as session:
        actions = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.entity_id)
                                  .where(AuditEntry.id > last_entry)).all()
    assert sorted(e for _, a, e in actions if a in ("indicator.create", "indicator.update")) == [
        "HT-TH-TD:TTHC_HS_TIEP_NHAN:2024-Q2", "HT-TH-TL:TTHC_HS_TRUC_TUYEN:2024-Q2", "HT:CD_KIEM_TRA:2024-Q2"]
    assert ("indicator.sheet", "HT:2024-Q2") in {(a, e) for _, a, e in actions}
    assert {actor for actor, _, _ in actions} == {"admin"}
    assert "Đã lưu 3 số liệu" in client.get(done.location).get_data(as_text=True)
    # The kept file is gone: a second confirm finds nothing.
    assert client.post(f"/values/upload/{token}/confirm", data={"csrf_token": csrf, "period": PERIOD}).status_code == 404


def test_web_refusals_are_listed_and_nothing_is_saved(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    template = client.get(f"/values/template?unit=HT&period={PERIOD}").data
    before = stored(demo_services)
    bad = fill(template, {("HT-TH-TD", "TTHC_HS_TIEP_NHAN"): "mười", ("HT", "CD_KIEM_TRA"): 120,
                          ("HT-TH-TL", "TTHC_HS_TRUC_TUYEN"): 12})
    response = upload(client, csrf, bad)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    ref = cell_ref(bad, "HT-TH-TD", "TTHC_HS_TIEP_NHAN")
    assert f"Ô {ref} (xã Thạch Đài, Tổng số hồ sơ TTHC tiếp nhận): &#39;mười&#39; không phải là số." in text
    assert f"Ô {cell_ref(bad, 'HT', 'CD_KIEM_TRA')} (tỉnh Hà Tĩnh): Chỉ tiêu" in text and "nhận được 120%" in text
    assert "/confirm" not in text  # nothing to confirm
    # Another period's and another unit's templates, a file that is not a spreadsheet.
    other_period = client.get("/values/template?unit=HT&period=2024-Q1").data
    assert "là mẫu của kỳ 2024-Q1" in upload(client, csrf, fill(other_period, {("HT", "CD_KIEM_TRA"): 50})) \
        .get_data(as_text=True)
    other_unit = client.get(f"/values/template?unit=HT-TH&period={PERIOD}").data
    refusal = upload(client, csrf, fill(other_unit, {("HT-TH-TD", "CD_KE_HOACH"): 50}))
    assert refusal.status_code == 422
    assert "là mẫu của đơn vị huyện Thạch Hà (HT-TH), không phải của tỉnh Hà Tĩnh (HT)" in refusal.get_data(as_text=True)
    assert "không phải bảng tính Excel" in upload(client, csrf, b"STT;Don vi\n1;HT\n", filename="x.csv") \
        .get_data(as_text=True)
    assert stored(demo_services) == before


def test_confirm_rechecks_the_file_and_a_change_made_since_is_a_conflict(csrf_app: Flask,
                                                                         demo_services: Services) -> None:
    """Values typed on the web after the download are never overwritten: a changed cell is refused, one left
    as downloaded is no change."""
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    template = client.get(f"/values/template?unit=HT&period={PERIOD}").data
    filled = fill(template, {("HT", "CD_KIEM_TRA"): 40})
    preview = upload(client, csrf, filled).get_data(as_text=True)
    token = re.search(r"/values/upload/([A-Za-z0-9_-]+)/confirm", preview).group(1)
    with demo_services.transaction() as session:  # someone saves the same value on the web meanwhile
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        row = current_value(session, "CD_KIEM_TRA", unit, PERIOD)
        record_indicator_value(session, demo_services.registry, system(), unit, "CD_KIEM_TRA", PERIOD, "33", "",
                               row.version)
    before = stored(demo_services)
    response = client.post(f"/values/upload/{token}/confirm", data={"csrf_token": csrf, "period": PERIOD})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "đã được test sửa" in text and "sau khi tải mẫu" in text and "33%" in text
    assert stored(demo_services) == before and value_of(demo_services, "HT", "CD_KIEM_TRA") == 33
    # The same template with that cell left as it was downloaded changes nothing there.
    other = fill(template, {("HT", "CD_SANG_KIEN"): 7})
    preview = upload(client, csrf, other)
    assert preview.status_code == 200
    token = re.search(r"/values/upload/([A-Za-z0-9_-]+)/confirm", preview.get_data(as_text=True)).group(1)
    assert client.post(f"/values/upload/{token}/confirm", data={"csrf_token": csrf, "period": PERIOD}).status_code == 302
    assert value_of(demo_services, "HT", "CD_KIEM_TRA") == 33 and value_of(demo_services, "HT", "CD_SANG_KIEN") == 7


# ---------------------------------------------------------------- permissions and scope

def test_an_editor_gets_only_the_columns_it_may_enter(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "stp")  # Sở Tư pháp leads area II (thể chế) tasks of the province's plan
    response = client.get(f"/values/template?unit=HT&period={PERIOD}")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    with demo_services.sessions() as session:
        user = session.scalar(select(User).where(User.username == "stp"))
        allowed = editable_indicators(session, demo_services.registry, Actor.of(user),
                                      session.scalar(select(Unit).where(Unit.code == "HT")), 2024)
    columns = sheet_columns(workbook)
    assert set(columns) == allowed and allowed and all(code.startswith("TC_") for code in allowed)
    ws = workbook.worksheets[0]
    commune = ws.cell(row=sheet_rows(workbook)["HT-TH-TD"], column=columns["TC_VBQPPL_BAN_HANH"])
    assert commune.fill.fgColor.rgb.endswith("D9D9D9")  # the commune has no plan its agency leads tasks of
    before = stored(demo_services)
    refusal = upload(client, csrf, fill(response.data, {("HT-TH-TD", "TC_VBQPPL_BAN_HANH"): 3,
                                                        ("HT", "TC_VBQPPL_BAN_HANH"): 4}))
    assert refusal.status_code == 422
    assert "tài khoản &#39;stp&#39; không được nhập chỉ tiêu này cho xã Thạch Đài" in refusal.get_data(as_text=True)
    assert stored(demo_services) == before
    preview = upload(client, csrf, fill(response.data, {("HT", "TC_VBQPPL_BAN_HANH"): 4}))
    token = re.search(r"/values/upload/([A-Za-z0-9_-]+)/confirm", preview.get_data(as_text=True)).group(1)
    assert client.post(f"/values/upload/{token}/confirm", data={"csrf_token": csrf, "period": PERIOD}).status_code == 302
    assert value_of(demo_services, "HT", "TC_VBQPPL_BAN_HANH") == 4
    # A viewer sees the page but gets no template and cannot upload.
    viewer = csrf_app.test_client()
    viewer_csrf = login(viewer, "xem")
    assert "chỉ có quyền xem" in viewer.get("/values").get_data(as_text=True)
    assert viewer.get(f"/values/template?unit=HT&period={PERIOD}").status_code == 403
    assert upload(viewer, viewer_csrf, response.data).status_code == 403


@pytest.fixture
def quang_tri(demo_services: Services) -> None:
    """A second province beside the demo, with a commune."""
    with demo_services.transaction() as session:
        add_unit(session, "QT", "tỉnh Quảng Trị", "tinh", None, "test")
        add_unit(session, "QT-VL", "xã Vĩnh Linh", "xa", "QT", "test")


def test_another_provinces_unit_is_refused(csrf_app: Flask, demo_services: Services, quang_tri: None,
                                           runner: CliRunner, tmp_path: Path) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "admin")
    assert client.get(f"/values/template?unit=QT&period={PERIOD}").status_code == 404
    template = client.get(f"/values/template?unit=HT&period={PERIOD}").data
    before = stored(demo_services)
    with_foreign = fill(template, {("HT", "CD_SANG_KIEN"): 9}, rows=[["QT-VL", "xã Vĩnh Linh", 100]])
    text = upload(client, csrf, with_foreign).get_data(as_text=True)
    assert "không có đơn vị mã &#39;QT-VL&#39; trong phạm vi tài khoản của bạn" in text
    # The command line as the province's admin is scoped the same way; as the system it names the province.
    assert refused(runner, "--user", "admin", "values", "template", "--unit", "QT", "--period", PERIOD,
                   "-o", str(tmp_path / "qt.xlsx")) == "Lỗi: Không tìm thấy đơn vị 'QT'"
    assert not (tmp_path / "qt.xlsx").exists()
    line = refused(runner, *cli_import(runner, tmp_path, with_foreign, "--period", PERIOD))
    assert "Dòng" in line and "xã Vĩnh Linh (QT-VL) không thuộc tỉnh Hà Tĩnh (HT), đơn vị của tệp mẫu." in line
    district = cli_template(runner, tmp_path, "HT-TH")
    outside = fill(district, {}, rows=[["HT-CX-CB", "xã Cẩm Bình", 5]])
    line = refused(runner, *cli_import(runner, tmp_path, outside, "--period", PERIOD))
    assert "xã Cẩm Bình (HT-CX-CB) không thuộc huyện Thạch Hà (HT-TH)" in line
    assert stored(demo_services) == before


# ---------------------------------------------------------------- the command line

def test_cli_import_saves_and_dry_run_saves_nothing(runner: CliRunner, demo_services: Services,
                                                    tmp_path: Path) -> None:
    template = cli_template(runner, tmp_path, "HT", PERIOD, "--user", "admin")
    filled = fill(template, {("HT-CX-CB", "TTHC_HS_TIEP_NHAN"): "2.500", ("HT-CX-CB", "TTHC_HAI_LONG"): "96,25%"})
    before = stored(demo_services)
    old = value_of(demo_services, "HT-CX-CB", "TTHC_HS_TIEP_NHAN")
    shown_old = f"{old:,.0f}".replace(",", ".") + " hồ sơ" if old is not None else "—"
    dry = ok(runner, "--user", "admin", *cli_import(runner, tmp_path, filled, "--period", PERIOD, "--dry-run"))
    assert (f"{cell_ref(filled, 'HT-CX-CB', 'TTHC_HS_TIEP_NHAN')}: xã Cẩm Bình (HT-CX-CB) · Tổng số hồ sơ TTHC tiếp "
            f"nhận (TTHC_HS_TIEP_NHAN): {shown_old} → 2.500 hồ sơ") in dry.output
    assert "96,25%" in dry.output and "Chạy thử: 2 số liệu sẽ thay đổi" in dry.output
    assert stored(demo_services) == before
    done = ok(runner, "--user", "admin", *cli_import(runner, tmp_path, filled, "--period", "2024-H1"))
    assert "Đã lưu 2 số liệu chỉ tiêu" in done.output
    assert value_of(demo_services, "HT-CX-CB", "TTHC_HS_TIEP_NHAN") == 2500
    assert value_of(demo_services, "HT-CX-CB", "TTHC_HAI_LONG") == 96.25
    with demo_services.sessions() as session:
        audited = session.execute(select(AuditEntry.actor, AuditEntry.action).where(
            AuditEntry.entity_id.like("HT-CX-CB:%"))).all()
    assert {actor for actor, _ in audited} == {"admin"} and len(audited) == 2
    # Importing the same file again changes nothing (every cell holds what is stored).
    again = ok(runner, "--user", "admin", *cli_import(runner, tmp_path, filled, "--period", PERIOD))
    assert "Đã lưu 0 số liệu" in again.output


def zip_bomb_xlsx() -> bytes:
    """An XLSX-shaped zip whose sheet inflates to 3 MB of zeros (the test caps unzipped files at 1 MB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * MB))
    return out.getvalue()


def tampered(data: bytes) -> bytes:
    """Return the template with the unit in its hidden sheet changed by hand (checksum left as it was)."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook[META_TITLE]["B2"] = "HT-TH"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def header_edited(data: bytes) -> bytes:
    """Return a district's template whose visible header was edited to name the province."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    workbook.worksheets[0]["A2"] = "Đơn vị: HT — tỉnh Hà Tĩnh"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


REFUSALS: list[tuple[str, Any, tuple[str, ...], str]] = [
    ("another_unit", lambda t, d, q1: header_edited(fill(d, {("HT-TH-TD", "CD_KE_HOACH"): 50})),
     ("--unit", "HT"), "là mẫu của đơn vị huyện Thạch Hà (HT-TH), không phải của tỉnh Hà Tĩnh (HT)"),
    ("another_period", lambda t, d, q1: fill(q1, {("HT", "CD_KIEM_TRA"): 50}), (),
     "là mẫu của kỳ 2024-Q1, không phải kỳ 2024-Q2 — Quý II/2024"),
    ("hidden_sheet_edited", lambda t, d, q1: tampered(fill(t, {("HT", "CD_KIEM_TRA"): 50})), (),
     "đã bị sửa (mã kiểm tra không khớp)"),
    ("not_a_number", lambda t, d, q1: fill(t, {("HT-TH-TD", "TTHC_HS_TIEP_NHAN"): "mười",
                                               ("HT", "CD_SANG_KIEN"): 4}), (),
     "(xã Thạch Đài, Tổng số hồ sơ TTHC tiếp nhận): 'mười' không phải là số."),
    ("out_of_bounds", lambda t, d, q1: fill(t, {("HT", "CD_KIEM_TRA"): "120,5", ("HT", "CD_SANG_KIEN"): 4}), (),
     "tỷ lệ phải từ 0% đến 100%, nhận được 120,5%"),
    ("count_not_whole", lambda t, d, q1: fill(t, {("HT", "CD_SANG_KIEN"): "2,5"}), (),
     "số lượng phải là số nguyên không âm"),
    ("not_xlsx", lambda t, d, q1: b"Ma don vi;Gia tri\nHT;12\n", (), "không phải bảng tính Excel (.xlsx)"),
    ("garbage", lambda t, d, q1: b"PK\x03\x04" + bytes(range(256)) * 8, (), "bị hỏng"),
    ("old_xls", lambda t, d, q1: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, (), "định dạng Office cũ"),
    ("zip_bomb", lambda t, d, q1: zip_bomb_xlsx(), (), "zip bomb"),
    ("a_plain_workbook", lambda t, d, q1: _plain_workbook(), (), "không phải mẫu nhập số liệu của hệ thống"),
]


def _plain_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["HT", 12])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("case", "make", "extra", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_cli_refusals_save_nothing(runner: CliRunner, demo_services: Services, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch, case: str, make: Any, extra: tuple[str, ...],
                                   message: str) -> None:
    template = cli_template(runner, tmp_path)
    district = cli_template(runner, tmp_path, "HT-TH")
    first_quarter = cli_template(runner, tmp_path, "HT", "2024-Q1")
    monkeypatch.setenv("REPORTSVC_MAX_UNZIPPED_MB", "1")
    before = stored(demo_services)
    data = make(template, district, first_quarter)
    for dry_run in ((), ("--dry-run",)):
        line = refused(runner, *cli_import(runner, tmp_path, data, "--period", PERIOD, *extra, *dry_run))
        assert message in line, line
    assert stored(demo_services) == before


def test_every_error_is_listed(runner: CliRunner, demo_services: Services, tmp_path: Path) -> None:
    template = cli_template(runner, tmp_path)
    data = fill(template, {("HT-TH-TD", "TTHC_HS_TIEP_NHAN"): "mười", ("HT-TH-TL", "TTHC_HS_TIEP_NHAN"): "-3",
                           ("HT", "CD_KIEM_TRA"): datetime(2024, 5, 1)}, rows=[["", "", 5], ["KHONG-CO", "?", 1]])
    line = refused(runner, *cli_import(runner, tmp_path, data, "--period", PERIOD))
    assert "vì có 5 lỗi:" in line
    assert f"Ô {cell_ref(data, 'HT-TH-TD', 'TTHC_HS_TIEP_NHAN')} (xã Thạch Đài" in line
    assert f"Ô {cell_ref(data, 'HT-TH-TL', 'TTHC_HS_TIEP_NHAN')} (xã Thạch Long)" in line
    assert "ô chứa ngày tháng (01/05/2024), không phải là số" in line
    assert "thiếu mã đơn vị ở cột A" in line and "không có đơn vị mã 'KHONG-CO'" in line


def test_a_percentage_cell_and_a_text_cell_read_as_people_write_them(runner: CliRunner, demo_services: Services,
                                                                      tmp_path: Path) -> None:
    template = cli_template(runner, tmp_path)
    kept = value_of(demo_services, "HT-TH-TD", "TTHC_HS_DA_GIAI_QUYET")
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    ws, columns, rows = workbook.worksheets[0], sheet_columns(workbook), sheet_rows(workbook)
    cell = ws.cell(row=rows["HT-TH-TD"], column=columns["TTHC_HAI_LONG"])
    cell.value, cell.number_format = 0.945, "0.0%"  # Excel turns "94,5%" typed in a cell into this
    ws.cell(row=rows["HT-TH-TD"], column=columns["TTHC_HS_TRUC_TUYEN"]).value = " 1.234 "
    ws.cell(row=rows["HT-TH-TD"], column=columns["TTHC_HS_DA_GIAI_QUYET"]).value = "   "  # blank: unchanged
    out = io.BytesIO()
    workbook.save(out)
    ok(runner, *cli_import(runner, tmp_path, out.getvalue(), "--period", PERIOD))
    assert value_of(demo_services, "HT-TH-TD", "TTHC_HAI_LONG") == 94.5
    assert value_of(demo_services, "HT-TH-TD", "TTHC_HS_TRUC_TUYEN") == 1234
    assert value_of(demo_services, "HT-TH-TD", "TTHC_HS_DA_GIAI_QUYET") == kept


def test_an_empty_cell_never_deletes_a_value(runner: CliRunner, demo_services: Services, tmp_path: Path) -> None:
    template = cli_template(runner, tmp_path)
    kept = value_of(demo_services, "HT", "CD_KIEM_TRA")
    assert kept is not None
    emptied = fill(template, {("HT", "CD_KIEM_TRA"): None, ("HT", "CD_SANG_KIEN"): 6})
    assert "Đã lưu 1 số liệu" in ok(runner, *cli_import(runner, tmp_path, emptied, "--period", PERIOD)).output
    assert value_of(demo_services, "HT", "CD_KIEM_TRA") == kept


def test_approved_data_are_locked(runner: CliRunner, demo_services: Services, tmp_path: Path) -> None:
    template = cli_template(runner, tmp_path)
    with demo_services.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT-TH-TD"))
        session.add(Submission(unit_id=unit.id, agency_id=None, party="unit", period_key=PERIOD, state="approved",
                               submitted_by="xa", decided_by="admin", decided_at=datetime(2024, 6, 12, 3, 0,
                                                                                          tzinfo=timezone.utc)))
    before = stored(demo_services)
    data = fill(template, {("HT-TH-TD", "TTHC_HS_TIEP_NHAN"): 10, ("HT", "CD_SANG_KIEN"): 4})
    line = refused(runner, *cli_import(runner, tmp_path, data, "--period", "2024-H1"))
    assert line.startswith("Lỗi: Số liệu kỳ Quý II/2024, 6 tháng 2024 của xã Thạch Đài đã được admin duyệt lúc "
                           "12/06/2024 10:00 nên không sửa được nữa.")
    assert stored(demo_services) == before
