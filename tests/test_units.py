"""Units from the official lists: import in both layouts, the whole country, changes, mergers and report settings.

Everything runs through the command line on an empty database (no demo): a province's 2025 list
from a committed CSV (tall layout), another's from an XLSX (wide layout), then the whole country
(tests/fixtures/units/make_country.py: official shape, synthetic commune names).
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.db.models import AuditEntry, Unit
from reportsvc.db.unitsettings import settings_of
from tests.cli_helpers import ok, refused, run
from tests.fixtures.units.make_country import QUANG_TRI_CSV, country, hung_yen_xlsx, tall_csv, write_quang_tri_csv

HEADER = "Mã,Tên,Cấp,Mã cấp trên\n"


def counts(services) -> tuple[int, int]:  # noqa: ANN001
    """Return the number of units and of audit entries."""
    with services.sessions() as session:
        return session.scalar(select(func.count(Unit.id))), session.scalar(select(func.count(AuditEntry.id)))


def import_json(runner: CliRunner, path: Path, *extra: str) -> dict:
    """Import a unit list with --json and return the summary."""
    return json.loads(ok(runner, "units", "import", str(path), "--json", *extra).stdout)


@pytest.fixture
def two_provinces(runner: CliRunner, services, tmp_path: Path) -> Path:  # noqa: ANN001
    """Import Quảng Trị (CSV, tall) and Hưng Yên (XLSX, wide); return the XLSX path."""
    xlsx = tmp_path / "hung_yen_2025.xlsx"
    xlsx.write_bytes(hung_yen_xlsx())
    assert import_json(runner, QUANG_TRI_CSV)["added"] == 11
    assert import_json(runner, xlsx)["added"] == 9
    return xlsx


# ---------------------------------------------------------------- importing the lists

def test_the_committed_quang_tri_list_is_what_the_generator_writes(tmp_path: Path) -> None:
    copy = tmp_path / "qt.csv"
    write_quang_tri_csv(copy)
    assert copy.read_bytes() == QUANG_TRI_CSV.read_bytes()


def test_two_provinces_then_the_whole_country_without_duplicates(runner: CliRunner, services, two_provinces,  # noqa: ANN001
                                                                 tmp_path: Path) -> None:
    with services.sessions() as session:
        quang_tri = session.scalar(select(Unit).where(Unit.code == "44"))
        assert (quang_tri.name, quang_tri.kind, quang_tri.parent) == ("Tỉnh Quảng Trị", "tinh", None)
        zone = session.scalar(select(Unit).where(Unit.name == "Đặc khu Cồn Cỏ"))
        assert (zone.kind, zone.parent.code, zone.place) == ("dac_khu", "44", "Cồn Cỏ")
        ward = session.scalar(select(Unit).where(Unit.name == "Phường Phố Hiến"))
        assert (ward.kind, ward.parent.code) == ("phuong", "33")

    path = tmp_path / "ca_nuoc.csv"
    path.write_bytes(tall_csv(country()))
    summary = import_json(runner, path)
    assert summary == {"layout": "tall", "total": 3355, "added": 3335, "renamed": [], "moved": [],
                       "unchanged": 20, "dry_run": False}
    with services.sessions() as session:
        assert session.scalar(select(func.count(Unit.id))) == 3355
        assert session.scalar(select(func.count(func.distinct(Unit.code)))) == 3355
        kinds = dict(session.execute(select(Unit.kind, func.count(Unit.id)).group_by(Unit.kind)).all())
        assert kinds == {"tinh": 28, "tp_tw": 6, "xa": 2621, "phuong": 687, "dac_khu": 13}
        same_name_same_parent = session.execute(
            select(Unit.parent_id, Unit.name).group_by(Unit.parent_id, Unit.name).having(func.count(Unit.id) > 1)).all()
        assert same_name_same_parent == []
        assert session.scalar(select(func.count(Unit.id)).where(Unit.parent_id.is_(None))) == 34

    _, audits = counts(services)
    again = import_json(runner, path)  # idempotent: adds nothing, changes nothing
    assert (again["added"], again["renamed"], again["moved"], again["unchanged"]) == (0, [], [], 3355)
    assert counts(services) == (3355, audits + 1)  # only the import itself is recorded


def test_dry_run_reports_without_storing(runner: CliRunner, services) -> None:  # noqa: ANN001
    summary = import_json(runner, QUANG_TRI_CSV, "--dry-run")
    assert summary == {"layout": "tall", "total": 11, "added": 11, "renamed": [], "moved": [], "unchanged": 0,
                       "dry_run": True}
    assert counts(services) == (0, 0)
    text = ok(runner, "units", "import", str(QUANG_TRI_CSV), "--dry-run").stdout
    assert text.splitlines() == ["Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu.",
                                 "Danh mục (một dòng một đơn vị): 11 đơn vị; thêm 11, đổi tên 0, chuyển cấp trên 0, "
                                 "không đổi 0."]


def test_a_changed_name_is_updated_and_audited(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    import_json(runner, QUANG_TRI_CSV)
    changed = tmp_path / "qt_sua.csv"
    changed.write_bytes(QUANG_TRI_CSV.read_bytes().replace("Xã Cam Lộ".encode(), "Phường Cam Lộ".encode())
                        .replace("Phường Cam Lộ,44,Tỉnh Quảng Trị,Xã".encode(),
                                 "Phường Cam Lộ,44,Tỉnh Quảng Trị,Phường".encode()))
    summary = import_json(runner, changed)
    assert (summary["added"], summary["renamed"], summary["unchanged"]) == (0, ["05317"], 10)
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "05317"))
        assert (unit.name, unit.kind, unit.place) == ("Phường Cam Lộ", "phuong", "Cam Lộ")
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.rename"))
        assert (entry.entity_id, entry.old, entry.new, entry.unit_id) == (
            "05317", {"name": "Xã Cam Lộ", "kind": "xa"}, {"name": "Phường Cam Lộ", "kind": "phuong"}, unit.id)
        assert entry.actor.startswith("cli:")


BAD_LISTS = [
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,\n05293,Thôn Một,Thôn,44\n",
                 "Lỗi: Dòng 3: cấp 'Thôn' của 'Thôn Một' không hợp lệ (cần một trong: tỉnh, ", id="unknown-kind"),
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,\n05293,Phường Đồng Hới,Phường,\n",
                 "Lỗi: Dòng 3: phường Đồng Hới (05293) là đơn vị cấp xã nhưng thiếu mã cấp trên.", id="missing-parent"),
    pytest.param(HEADER + "05293,Phường Đồng Hới,Phường,99\n",
                 "Lỗi: Dòng 2: phường Đồng Hới (05293) có mã cấp trên '99' không có trong tệp hay trong cơ sở dữ liệu.",
                 id="unknown-parent"),
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,\n05293,Phường Đồng Hới,Phường,44\n05296,Xã Một,Xã,05293\n",
                 "Lỗi: Dòng 4: xã Một (05296) là đơn vị cấp xã, không thể trực thuộc phường Đồng Hới (05293) là đơn vị "
                 "cấp xã.", id="parent-of-wrong-level"),
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,\n05293,Phường Đồng Hới,Phường,44\n05293,Xã Khác,Xã,44\n",
                 "Lỗi: Dòng 4: mã '05293' đã dùng ở dòng 3.", id="code-twice"),
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,\n05293,Phường Đồng Hới,Phường,05293\n",
                 "Lỗi: Dòng 3: phường Đồng Hới (05293) ghi chính nó làm cấp trên (vòng lặp).", id="cycle"),
    pytest.param(HEADER + "44,Tỉnh Quảng Trị,Tỉnh,05293\n05293,Phường Đồng Hới,Phường,44\n",
                 "Lỗi: Dòng 2: tỉnh Quảng Trị (44) là đơn vị cấp tỉnh, không có cấp trên (ghi mã cấp trên '05293').",
                 id="cycle-through-a-province"),
    pytest.param("STT,Họ và tên,Chức vụ\n1,Nguyễn Văn A,Chủ tịch\n",
                 "Lỗi: Tệp 'bad.csv' không đúng mẫu danh mục đơn vị hành chính: cần cột 'Mã', 'Tên', 'Cấp', "
                 "'Mã cấp trên' (hoặc code, name, kind, parent), hoặc cột 'Mã TP', 'Tỉnh / Thành phố', 'Mã PX', "
                 "'Phường Xã', 'Cấp' (danh mục cũ thêm 'Mã QH', 'Quận Huyện')", id="neither-layout"),
    pytest.param("Mã TP,Tỉnh / Thành phố,Mã PX,Phường Xã\n44,Quảng Trị,05293,Phường Đồng Hới\n",
                 "Lỗi: Dòng 2: không nhận ra cấp tỉnh của 'Quảng Trị' (tên phải bắt đầu bằng tỉnh, thành phố).",
                 id="wide-without-kind-word"),
]


@pytest.mark.parametrize(("text", "message"), BAD_LISTS)
def test_a_bad_list_is_one_vietnamese_line_and_stores_nothing(runner: CliRunner, services, tmp_path: Path,  # noqa: ANN001
                                                              text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    assert refused(runner, "units", "import", str(path)).startswith(message)
    assert counts(services) == (0, 0)


def test_a_bad_row_after_good_ones_stores_none_of_them(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "bad.csv"
    path.write_bytes(QUANG_TRI_CSV.read_bytes() + "05400,Xã Lạ,44,Tỉnh Quảng Trị,Làng\r\n".encode())
    assert "cấp 'Làng'" in refused(runner, "units", "import", str(path))
    assert counts(services) == (0, 0)


def test_a_file_that_is_not_a_list(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    assert refused(runner, "units", "import", str(tmp_path / "missing.csv")).startswith(
        f"Lỗi: Không đọc được tệp '{tmp_path / 'missing.csv'}'")
    text = tmp_path / "ds.txt"
    text.write_text("Mã,Tên,Cấp\n", encoding="utf-8")
    assert refused(runner, "units", "import", str(text)).startswith("Lỗi: Định dạng tệp 'ds.txt' không được hỗ trợ.")


# ---------------------------------------------------------------- add, rename, move, list

def test_add_rename_move_and_list(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    assert ok(runner, "units", "add", "05400", "--name", "Xã Hướng Hiệp", "--kind", "xã", "--parent", "44").stdout \
        == "Đã thêm Xã Hướng Hiệp (05400, xã).\n"
    ok(runner, "units", "rename", "05400", "--name", "Phường Hướng Hiệp", "--kind", "phuong")
    ok(runner, "units", "move", "05400", "--parent", "33")
    rows = json.loads(ok(runner, "units", "list", "--under", "33", "--json").stdout)
    assert rows[0] == {"code": "33", "name": "Tỉnh Hưng Yên", "kind": "tinh", "depth": 0, "parent": None,
                       "valid_from": None, "valid_to": None, "successor": None}
    assert {"code": "05400", "name": "Phường Hướng Hiệp", "kind": "phuong", "depth": 1, "parent": "33",
            "valid_from": None, "valid_to": None, "successor": None} in rows
    assert {row["code"] for row in rows} == {"33", "05400"} | {
        unit.code for unit in country() if unit.parent_code == "33" and unit.name in
        {"Phường Phố Hiến", "Phường Sơn Nam", "Phường Mỹ Hào", "Phường Thái Bình", "Xã Tiên Lữ", "Xã Văn Giang",
         "Xã Kiến Xương", "Xã Vũ Thư"}}
    text = ok(runner, "units", "list", "--under", "44").stdout.splitlines()
    assert text[0] == "44       Tỉnh Quảng Trị [tỉnh]" and text[1].startswith("  05293    Phường Đồng Hới [phường]")
    with services.sessions() as session:
        actions = [(e.action, e.entity_id, e.new) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == "05400").order_by(AuditEntry.id))]
    assert actions == [("unit.create", "05400", {"name": "Xã Hướng Hiệp", "kind": "xa", "parent": "44",
                                                 "valid_from": None}),
                       ("unit.rename", "05400", {"name": "Phường Hướng Hiệp", "kind": "phuong"}),
                       ("unit.move", "05400", {"parent": "33"})]


@pytest.mark.parametrize(("args", "message"), [
    (("add", "05500", "--name", "Xã Mới", "--kind", "thôn", "--parent", "44"),
     "Lỗi: Loại đơn vị 'thôn' không hợp lệ (cần một trong: tỉnh, thành phố trực thuộc trung ương, huyện"),
    (("add", "05500", "--name", "Xã Mới", "--kind", "xa"), "Lỗi: xã Mới (05500) là đơn vị cấp xã, cần có đơn vị cấp trên."),
    (("add", "05500", "--name", "Xã Mới", "--kind", "xa", "--parent", "05293"),
     "Lỗi: xã Mới (05500) là đơn vị cấp xã, không thể trực thuộc Phường Đồng Hới (05293) là đơn vị cấp xã."),
    (("add", "05500", "--name", "Xã Mới", "--kind", "xa", "--parent", "77"), "Lỗi: Không tìm thấy đơn vị '77'"),
    (("add", "05293", "--name", "Xã Mới", "--kind", "xa", "--parent", "44"), "Lỗi: Mã đơn vị '05293' đã được dùng."),
    (("add", "05500", "--name", " ", "--kind", "xa", "--parent", "44"), "Lỗi: Tên đơn vị không được để trống."),
    (("rename", "05293", "--name", "Tỉnh Đồng Hới", "--kind", "tinh"),
     "Lỗi: tỉnh Đồng Hới (05293) là đơn vị cấp tỉnh, không trực thuộc đơn vị nào."),
    (("move", "44", "--parent", "05293"), "Lỗi: Không thể chuyển Tỉnh Quảng Trị (44) vào chính nó hoặc đơn vị trực thuộc nó."),
    (("move", "05293", "--parent", "05296"),
     "Lỗi: Phường Đồng Hới (05293) là đơn vị cấp xã, không thể trực thuộc Phường Đồng Thuận (05296) là đơn vị cấp xã."),
    (("add", "05500", "--name", "Xã Mới", "--kind"), "Lỗi: Tùy chọn --kind cần một giá trị."),
])
def test_a_bad_change_is_one_line_and_changes_nothing(runner: CliRunner, services, two_provinces,  # noqa: ANN001
                                                      args: tuple[str, ...], message: str) -> None:
    before = counts(services)
    assert refused(runner, "units", *args).startswith(message)
    assert counts(services) == before


# ---------------------------------------------------------------- mergers

def test_two_communes_merge_into_a_new_one(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    out = ok(runner, "units", "merge", "05293", "05296", "--into", "05999", "--on", "01/07/2025",
             "--name", "Phường Đồng Hới", "--kind", "phuong", "--parent", "44").stdout
    assert out == "Đã sáp nhập 05293, 05296 vào Phường Đồng Hới (05999) từ ngày 01/07/2025.\n"
    with services.sessions() as session:
        new = session.scalar(select(Unit).where(Unit.code == "05999"))
        assert (new.valid_from, new.valid_to, [p.code for p in new.predecessors]) == (date(2025, 7, 1), None,
                                                                                     ["05293", "05296"])
        old = session.scalar(select(Unit).where(Unit.code == "05293"))
        assert (old.valid_to, old.successor.code) == (date(2025, 6, 30), "05999")
        merges = session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.merge")).all()
        assert sorted((m.entity_id, m.new["valid_to"], m.new["successor"]) for m in merges) == [
            ("05293", "2025-06-30", "05999"), ("05296", "2025-06-30", "05999")]
    current = {row["code"] for row in json.loads(ok(runner, "units", "list", "--under", "44", "--json").stdout)}
    assert "05999" in current and not {"05293", "05296"} & current
    every = json.loads(ok(runner, "units", "list", "--under", "44", "--all", "--json").stdout)
    assert {row["code"]: row["successor"] for row in every if row["successor"]} == {"05293": "05999", "05296": "05999"}
    # a merged unit takes nothing new: no second merger, no children, no users
    assert refused(runner, "units", "merge", "05293", "--into", "05299", "--on", "2025-08-01").startswith(
        "Lỗi: Phường Đồng Hới (05293) đã thôi tồn tại từ 01/07/2025")
    assert refused(runner, "users", "create", "dh", "--role", "viewer", "--unit", "05293", "--password",
                   "mat-khau-dai").startswith("Lỗi: Phường Đồng Hới (05293) đã thôi tồn tại từ 01/07/2025")


def test_merge_into_an_existing_unit_with_an_iso_date(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    ok(runner, "units", "merge", "05311", "--into", "05314", "--on", "2025-07-01")
    with services.sessions() as session:
        old = session.scalar(select(Unit).where(Unit.code == "05311"))
        assert (old.valid_to, old.successor.code) == (date(2025, 6, 30), "05314")


@pytest.mark.parametrize(("args", "message"), [
    (("44", "--into", "05293", "--on", "2025-07-01"),
     "Lỗi: Không thể sáp nhập Tỉnh Quảng Trị (44) vào đơn vị trực thuộc nó (Phường Đồng Hới)."),
    (("05293", "--into", "05293", "--on", "2025-07-01"), "Lỗi: Không thể sáp nhập Phường Đồng Hới (05293) vào chính nó."),
    (("05293", "--into", "33", "--on", "2025-07-01"),
     "Lỗi: Không thể sáp nhập Phường Đồng Hới (05293) (cấp xã) vào Tỉnh Hưng Yên (33, cấp tỉnh): hai đơn vị phải cùng cấp."),
    (("05293", "--into", "05888", "--on", "2025-07-01"),
     "Lỗi: Đơn vị '05888' chưa có: cần tên, loại (và đơn vị cấp trên) để tạo đơn vị mới."),
    (("05293", "--into", "05296", "--on", "2025-31-07"), "Lỗi: Ngày không hợp lệ: '2025-31-07' (dạng dd/mm/yyyy)"),
    (("05293", "--into", "05296"), "Lỗi: Thiếu tùy chọn --on: ngày sáp nhập có hiệu lực"),
])
def test_a_bad_merger_is_refused(runner: CliRunner, services, two_provinces,  # noqa: ANN001
                                 args: tuple[str, ...], message: str) -> None:
    before = counts(services)
    assert refused(runner, "units", "merge", *args).startswith(message)
    assert counts(services) == before


def test_a_merger_dated_before_the_unit_existed(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    ok(runner, "units", "add", "05600", "--name", "Xã Tân Lập", "--kind", "xa", "--parent", "44",
       "--valid-from", "01/07/2025")
    before = counts(services)
    assert refused(runner, "units", "merge", "05600", "--into", "05311", "--on", "2025-03-01") == (
        "Lỗi: Ngày sáp nhập 01/03/2025 không sau ngày Xã Tân Lập (05600) được thành lập (01/07/2025).")
    assert refused(runner, "units", "merge", "05311", "--into", "05600", "--on", "2025-03-01") == (
        "Lỗi: Ngày sáp nhập 01/03/2025 trước ngày Xã Tân Lập được thành lập.")
    assert counts(services) == before


# ---------------------------------------------------------------- report settings

def test_settings_are_set_shown_and_audited(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    ok(runner, "units", "settings", "44", "--set", "parent_body=UBND tỉnh Quảng Trị", "--set", "issuing_body=Sở Nội vụ",
       "--set", "place=Đông Hà", "--set", "doc_symbol=bc-snv", "--set", "sign_authority=kt. giám đốc",
       "--set", "signer_position=Phó Giám đốc", "--set", "signer_name=Lê Văn Bình",
       "--set", "recipients=Bộ Nội vụ (b/c); UBND tỉnh", "--set", "recipients=Lưu: VT, CCHC",
       "--set", "cutoff_day=10", "--set", "submission_day=20", "--set", "reports=q1, h1, m9, y")
    view = json.loads(ok(runner, "units", "settings", "44", "--json").stdout)
    assert view["settings"] == {
        "parent_body": "UBND TỈNH QUẢNG TRỊ", "issuing_body": "SỞ NỘI VỤ", "place": "Đông Hà", "doc_symbol": "BC-SNV",
        "sign_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC", "signer_name": "Lê Văn Bình",
        "recipients": ["Bộ Nội vụ (b/c);", "UBND tỉnh;", "Lưu: VT, CCHC."], "report_request": "", "cutoff_day": 10, "submission_day": 20,
        "data_due_day": None, "reminder_days": 3, "approved_only": False, "reports": ["Q1", "H1", "M9", "Y"]}
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "44"))
        read = settings_of(unit)
        assert (unit.place, read.cutoff.end_day, read.submission_day) == ("Đông Hà", 10, 20)
        assert unit.settings["report_kinds"] == ["Q1", "H1", "M9", "Y"]  # the key the scheduler reads
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.settings"))
        assert (entry.entity_id, entry.unit_id, entry.old["cutoff_day"], entry.new["cutoff_day"]) == ("44", unit.id,
                                                                                                      None, 10)
        assert entry.old["place"] == "Quảng Trị" and entry.new["place"] == "Đông Hà"
    # an empty value puts a key back to its default; the other unit is untouched
    ok(runner, "units", "settings", "44", "--set", "cutoff_day=", "--set", "place=")
    view = json.loads(ok(runner, "units", "settings", "44", "--json").stdout)
    assert (view["settings"]["cutoff_day"], view["settings"]["place"]) == (14, "Quảng Trị")
    assert "cutoff_day" not in view["own"] and "doc_symbol" in view["own"]
    other = json.loads(ok(runner, "units", "settings", "33", "--json").stdout)
    assert other["own"] == [] and other["settings"]["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN"
    text = ok(runner, "units", "settings", "33").stdout.splitlines()
    assert text[0] == "Thiết lập báo cáo của Tỉnh Hưng Yên (33):"
    assert "  cutoff_day       14  (mặc định)" in text


@pytest.mark.parametrize(("assignments", "message"), [
    (("cutoff_day=0",), "Lỗi: Ngày chốt số liệu không hợp lệ: '0' (cần số nguyên từ 1 đến 28)."),
    (("cutoff_day=29",), "Lỗi: Ngày chốt số liệu không hợp lệ: '29' (cần số nguyên từ 1 đến 28)."),
    (("submission_day=hai mươi",), "Lỗi: Hạn gửi báo cáo không hợp lệ: 'hai mươi' (cần số nguyên từ 1 đến 28)."),
    (("doc_symbol=UBND",), "Lỗi: Ký hiệu văn bản không hợp lệ: 'UBND' (dạng BC-UBND, BC-SNV"),
    (("sign_authority=Chủ tịch",), "Lỗi: Thẩm quyền ký không hợp lệ: 'CHỦ TỊCH' (bắt đầu bằng TM., KT., TL., TUQ., Q."),
    (("reports=Q1,Q2",), "Lỗi: Báo cáo phải gửi không hợp lệ: 'Q2' (chọn trong: Q1 (quý I), H1 (6 tháng), Q3 (quý III), "
                         "M9 (9 tháng), Y (năm); ví dụ Q1,H1,M9,Y)."),
    (("parent_body=" + "A" * 300,), "Lỗi: Cơ quan cấp trên dài quá 255 ký tự."),
    (("colour=red",), "Lỗi: Không có thiết lập 'colour'. Các thiết lập hợp lệ: parent_body, issuing_body, place, "
                      "doc_symbol, sign_authority, signer_position, signer_name, recipients, report_request, cutoff_day, submission_day, data_due_day, reminder_days, approved_only, "
                      "reports."),
    (("cutoff_day=10", "cutoff_day=12"), "Lỗi: Thiết lập 'cutoff_day' được đặt hai lần."),
    (("cutoff_day",), "Lỗi: Thiết lập không hợp lệ: 'cutoff_day' (dạng KHÓA=GIÁ_TRỊ, ví dụ cutoff_day=14)."),
    (("cutoff_day=31", "doc_symbol=CV"), "Lỗi: Ngày chốt số liệu không hợp lệ: '31' (cần số nguyên từ 1 đến 28). "
                                         "Ký hiệu văn bản không hợp lệ: 'CV'"),
])
def test_bad_settings_are_refused_and_nothing_changes(runner: CliRunner, services, two_provinces,  # noqa: ANN001
                                                      assignments: tuple[str, ...], message: str) -> None:
    ok(runner, "units", "settings", "44", "--set", "cutoff_day=9")
    before = counts(services)
    args = [part for assignment in assignments for part in ("--set", assignment)]
    assert refused(runner, "units", "settings", "44", "--set", "signer_name=Lê Văn Bình", *args).startswith(message)
    assert counts(services) == before
    view = json.loads(ok(runner, "units", "settings", "44", "--json").stdout)["settings"]
    assert (view["cutoff_day"], view["doc_symbol"], view["signer_name"]) == (9, "BC-UBND", "")


# ---------------------------------------------------------------- acting as a user (--user)

def test_a_province_admin_changes_only_its_own_units(runner: CliRunner, services, two_provinces) -> None:  # noqa: ANN001
    ok(runner, "users", "create", "qt-admin", "--role", "admin", "--unit", "44", "--password", "mat-khau-qt")
    ok(runner, "users", "create", "qt-xem", "--role", "viewer", "--unit", "44", "--password", "mat-khau-qt")
    as_admin = ("--user", "qt-admin")
    ok(runner, *as_admin, "units", "rename", "05311", "--name", "Xã Vĩnh Linh Mới")
    ok(runner, *as_admin, "units", "settings", "44", "--set", "signer_name=Hoàng Nam")
    before = counts(services)
    assert refused(runner, *as_admin, "units", "rename", "33", "--name", "Tỉnh Khác") == \
        "Lỗi: Không tìm thấy đơn vị '33'"
    assert refused(runner, *as_admin, "units", "settings", "33", "--set", "cutoff_day=3") == \
        "Lỗi: Không tìm thấy đơn vị '33'"
    assert refused(runner, "--user", "qt-xem", "units", "rename", "05311", "--name", "Xã Khác") == \
        "Lỗi: Tài khoản 'qt-xem' (viewer) không có quyền quản trị."
    assert refused(runner, "--user", "ai-do", "units", "list") == \
        "Lỗi: Không tìm thấy người dùng 'ai-do' (tùy chọn --user)."
    assert counts(services) == before
    listed = {row["code"] for row in json.loads(ok(runner, *as_admin, "units", "list", "--json").stdout)}
    assert "44" in listed and "33" not in listed and "05311" in listed
    with services.sessions() as session:
        actors = {e.action: e.actor for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["unit.rename", "unit.settings"])))}
    assert actors == {"unit.rename": "qt-admin", "unit.settings": "qt-admin"}


@pytest.mark.parametrize(("name", "kind", "authority"), [
    ("Phường Ba Đình", "phuong", "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH"),
    ("Đặc khu Phú Quốc", "dac_khu", "ỦY BAN NHÂN DÂN ĐẶC KHU PHÚ QUỐC"),
    ("Thành phố Huế", "tp_tw", "ỦY BAN NHÂN DÂN THÀNH PHỐ HUẾ"),
    ("Vĩnh Linh", "xa", "ỦY BAN NHÂN DÂN XÃ VĨNH LINH"),  # a name written without its kind word
])
def test_the_authority_follows_the_kind(name: str, kind: str, authority: str) -> None:
    from reportsvc.db.models import Unit
    from reportsvc.db.unitsettings import settings_of

    assert settings_of(Unit(name=name, kind=kind, settings={})).issuing_body == authority
