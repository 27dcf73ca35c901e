"""Plan import (issue 4): the seed layouts as DOCX, XLSX and CSV, dry-run counts, storage, replace, CLI.

Expected counts were taken by hand from the seed files (tests/fixtures/seeds/): the numbers of the TT/STT
column between one area heading and the next.

- 000 Hải Dương 2024: STT 1–15 under I, 16–30 under II, 31–44 under III, 45–50 under IV,
  51–60 under V, 61–69 under VI, 70–83 under VII (the unnumbered row after 72 continues 72). A row whose
  Nhiệm vụ cell is empty is one more activity of the task above (issue 13): the tasks are the "Nhiệm vụ N"
  labels, I 1–9, II 1–6 (3 is the shifted row 23), III 1–6 plus row 40 (labelled "Nhiệm vụ 10" in the
  Hoạt động column), IV 1–5, V 1–7, VI 1–4, VII 13.
- 001 Hà Tĩnh 2024, appendix: TT restarts at 1 in every area: I 1–7, II 1–4, III 1–11, IV 1–3,
  V 1–4, VI 1–4; VII has no item of its own, its sub-areas A 1–6 and B 1–9.
- 003 Tứ Kỳ 2023 (raw PDF text; its table rebuilt in tests/fixtures/seed_003_table.md): activities 1–78
  (no 57) in the Hải Dương layout, one task per "Nhiệm vụ N" label: I 1–8, II 1–5 and "2.6" (6), III 1, 2, 3,
  5 (4; the plan has no Nhiệm vụ 4 there), IV 1–5, V 1–7, VI 1–5, VII 1–8, "2.9" and 10–15 (15). A 2023 plan.
- 004 Hải Phòng 2024, list: I 1–10, II 11–19, III 20–32, IV 33–38, V 39–42, VI 43–48, VII 49–57
  (sub-rows "- Thành phố" … and the unnumbered row after 35 belong to their item).
"""
from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.importing import agencies
from reportsvc.cli.main import main
from reportsvc.importing import PlanImportError, analyse_plan, import_plan, run_import
from reportsvc.areas.matching import match_area
from reportsvc.importing.readers import read_blocks
from reportsvc.importing.targets import find_numbers
from reportsvc.db.models import (Agency, AuditEntry, Indicator, Plan, PlanArea, StatusUpdate, Task, TaskAgency,
                              Unit)
from reportsvc.hooks.registry import PluginRegistry, build_registry
from tests import seed_fixtures
from tests.plugin_helpers import add_iso_distribution


EXPECTED = {
    "000": [
        ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", 9, "I"),
        ("II", "CẢI CÁCH THỂ CHẾ", 6, "II"),
        ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 7, "III"),
        ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC", 5, "IV"),
        ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", 7, "V"),
        ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", 4, "VI"),
        ("VII", "XÂY DỰNG CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", 13, "VII"),
    ],
    "001": [
        ("I", "CÔNG TÁC CHỈ ĐẠO ĐIỀU HÀNH CCHC", 7, "I"),
        ("II", "CẢI CÁCH THỂ CHẾ", 4, "II"),
        ("III", "CẢI CÁCH TTHC VÀ THỰC HIỆN CƠ CHẾ MỘT CỬA, MỘT CỬA LIÊN THÔNG", 11, "III"),
        ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY", 3, "IV"),
        ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", 4, "V"),
        ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", 4, "VI"),
        ("VII", "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ VÀ ÁP DỤNG ISO", 0, "VII"),
        ("VII.A", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", 6, "VII"),
        ("VII.B", "Áp dụng ISO 9001:2015 trong hoạt động của đơn vị", 9, None),
    ],
    "003": [
        ("I", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", 8, "I"),
        ("II", "CẢI CÁCH THỂ CHẾ", 6, "II"),
        ("III", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", 4, "III"),
        ("IV", "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH NHÀ NƯỚC", 5, "IV"),
        ("V", "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ", 7, "V"),
        ("VI", "CẢI CÁCH TÀI CHÍNH CÔNG", 5, "VI"),
        ("VII", "XÂY DỰNG CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ", 15, "VII"),
    ],
    "004": [
        ("I", "Chỉ đạo điều hành, kiểm tra và tuyên truyền", 10, "I"),
        ("II", "Cải cách thể chế", 9, "II"),
        ("III", "Cải cách thủ tục hành chính", 13, "III"),
        ("IV", "Cải cách tổ chức bộ máy", 6, "IV"),
        ("V", "Cải cách chế độ công vụ", 4, "V"),
        ("VI", "Cải cách tài chính công", 6, "VI"),
        ("VII", "Xây dựng Chính quyền điện tử, Chính quyền số", 9, "VII"),
    ],
}
TOTALS = {"000": 51, "001": 48, "003": 50, "004": 57}
YEARS = {"000": 2024, "001": 2024, "003": 2023, "004": 2024}  # the year each seed's title names
FORMATS = ("docx", "xlsx", "csv")


@lru_cache(maxsize=None)
def fixture_bytes(seed: str, fmt: str) -> bytes:
    """Return a seed fixture, built once per test session."""
    return seed_fixtures.build(seed, fmt)


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    """Return the registry of the built-in area plugins."""
    return build_registry()


def write_fixture(folder: Path, seed: str, fmt: str) -> Path:
    """Write a seed fixture file and return its path."""
    path = folder / f"ke_hoach_{seed}.{fmt}"
    path.write_bytes(fixture_bytes(seed, fmt))
    return path


def add_unit(services, code: str = "HT") -> None:  # noqa: ANN001
    """Create the unit plans are imported for."""
    with services.transaction() as session:
        session.add(Unit(code=code, name="Tỉnh Hà Tĩnh", kind="tinh", place="Hà Tĩnh"))


def table_counts(services) -> dict[str, int]:  # noqa: ANN001
    """Return the row count of every table plan import writes to."""
    with services.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Plan, PlanArea, Task, TaskAgency, Indicator, Agency, StatusUpdate, AuditEntry)}


def invoke(runner: CliRunner, *args: str):  # noqa: ANN201
    """Run ``reportsvc ARGS``."""
    return runner.invoke(main, list(args), catch_exceptions=False)


# ------------------------------------------------------------------------------------------
# Dry run: the per-area counts of every seed layout in every format
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_dry_run_counts(seed: str, fmt: str, registry: PluginRegistry) -> None:
    parsed = analyse_plan(fixture_bytes(seed, fmt), f"ke_hoach.{fmt}", registry, year=YEARS[seed])
    summary = parsed.summary()
    assert list(summary) == ["total_rows", "years", "areas", "warnings", "identity", "row_problems"]
    assert summary["years"] == [YEARS[seed], YEARS[seed]]
    assert summary["areas"] == [{"code": c, "title": t, "rows": n} for c, t, n, _ in EXPECTED[seed]]
    assert summary["total_rows"] == TOTALS[seed] == sum(n for _, _, n, _ in EXPECTED[seed])
    assert [a.area_code for a in parsed.areas] == [code for *_, code in EXPECTED[seed]]


def test_tu_ky_layout_tasks_over_activity_rows(registry: PluginRegistry) -> None:
    """Seed 003: task cells merged over their activity rows, a misspelt label, a row without STT, its 2023 deadlines."""
    parsed = analyse_plan(fixture_bytes("003", "docx"), "tu_ky.docx", registry)
    assert parsed.years == (2023, 2023) and parsed.title == "KHUNG KẾ HOẠCH THỰC HIỆN CẢI CÁCH HÀNH CHÍNH NHÀ NƯỚC NĂM 2023"
    assert parsed.warnings == []  # every deadline read, every lead cell an agency name
    items = {(a.numeral, i.number): i for a in parsed.areas for i in a.items}
    indices = items["I", "12"]  # Nhiệm vụ 8 over the activities 12, 13 and 14
    assert indices.title.startswith("Tiếp tục thực hiện việc đánh giá kết quả cải cách hành chính")
    assert [a.number for a in indices.activities] == ["12", "13", "14"]
    assert indices.lead.split("\n") == ["Sở Nội vụ", "Phòng Nội vụ", "UBND cấp huyện"]
    assert items["V", "44"].activity == "Triển khai Kế hoạch thi, xét thăng hạng chức danh nghề nghiệp viên chức"
    review = items["III", "29"]  # activity 2.3 has no STT of its own: its row continues 29, label dropped
    assert review.activity.split("\n") == ["Soạn thảo Kế hoạch rà soát đơn giản hóa thủ tục hành chính",
                                           "Thực hiện rà soát, đơn giản hóa thủ tục hành chính"]
    assert review.deadline == "Quý I/ 2023\nThường xuyên"
    assert ("III", "30") in items and ("VI", "57") not in items and ("VI", "58") in items


def test_tu_ky_table_has_the_seed_texts_words(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The rebuilt table of seed 003 is checked word for word against the seed text: a changed word is refused."""
    assert seed_fixtures.tu_ky().width == 7
    changed = tmp_path / "seed_003_table.md"
    changed.write_text(seed_fixtures.TU_KY_TABLE.read_text(encoding="utf-8").replace("Phòng Tư pháp", "Phòng Tư Pháp", 1),
                       encoding="utf-8")
    monkeypatch.setattr(seed_fixtures, "TU_KY_TABLE", changed)
    with pytest.raises(ValueError, match=r"missing \{'pháp': 1\}, added \{'Pháp': 1\}"):
        seed_fixtures.tu_ky()


def test_unknown_area_is_custom_with_warning(registry: PluginRegistry) -> None:
    parsed = analyse_plan(fixture_bytes("001", "docx"), "ha_tinh.docx", registry, year=2024)
    assert parsed.warnings == ["Lĩnh vực 'VII.B. Áp dụng ISO 9001:2015 trong hoạt động của đơn vị' không khớp "
                               "với lĩnh vực nào đã khai báo; được giữ là lĩnh vực riêng."]
    assert parsed.title == "KHUNG NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH TRỌNG TÂM NĂM 2024"


def test_sub_area_matches_an_iso_plugin_alias(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    add_iso_distribution(monkeypatch, tmp_path)  # the example plugin declares the ISO 9001 area and its aliases
    extended = build_registry()
    assert "ISO9001" in {area.code for area in extended.areas}
    parsed = analyse_plan(fixture_bytes("001", "xlsx"), "ha_tinh.xlsx", extended, year=2024)
    assert {a.numeral: a.area_code for a in parsed.areas}["VII.B"] == "ISO9001"
    assert {a.numeral: a.area_code for a in parsed.areas}["VII"] == "VII"  # "chính quyền điện tử" is longer
    assert parsed.warnings == []


def test_areas_are_matched_by_title_not_numeral(registry: PluginRegistry) -> None:
    assert match_area("CẢI CÁCH TTHC VÀ THỰC HIỆN CƠ CHẾ MỘT CỬA, MỘT CỬA LIÊN THÔNG", registry.areas).code == "III"
    assert match_area("Xây dựng Chính quyền điện tử, Chính quyền số", registry.areas).code == "VII"
    assert match_area("CẢI CÁCH TỔ CHỨC BỘ MÁY", registry.areas).code == "IV"
    assert match_area("Triển khai thực hiện phân cấp quản lý nhà nước", registry.areas) is None


def test_two_row_header_column_numbers_and_custom_area(registry: PluginRegistry) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025"], [],
                ["STT", "Nội dung công việc", "Cơ quan thực hiện", None, "Thời gian thực hiện", "Sản phẩm"],
                [None, None, "Chủ trì", "Phối hợp", None, None],
                ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
                ["I", "Cải cách thể chế"],
                [1, "Rà soát văn bản", "Sở Tư pháp", "Các sở, ngành", "Quý I/2025", "Báo cáo"],
                ["STT", "Nội dung công việc", "Cơ quan thực hiện", None, "Thời gian thực hiện", "Sản phẩm"],
                [None, None, "Chủ trì", "Phối hợp", None, None],
                [2, "Kiểm tra văn bản", "Sở Tư pháp", "UBND cấp xã", "Quý II/2025", "Thông báo"],
                ["VIII. Triển khai thực hiện phân cấp quản lý nhà nước"],
                [3, "Phân cấp", "Sở Nội vụ", None, "Năm 2025", "Quyết định"]):
        sheet.append(row)
    for cells in ("A1:F1", "A3:A4", "B3:B4", "C3:D3", "A11:F11"):
        sheet.merge_cells(cells)
    out = io.BytesIO()
    workbook.save(out)
    parsed = analyse_plan(out.getvalue(), "2025.xlsx", registry)  # the years are the title's
    summary = parsed.summary()
    assert summary.pop("row_problems") == [] and not any(summary.pop("identity").values())
    assert summary == {"total_rows": 3, "years": [2025, 2025], "areas": [
        {"code": "I", "title": "Cải cách thể chế", "rows": 2},
        {"code": "VIII", "title": "Triển khai thực hiện phân cấp quản lý nhà nước", "rows": 1}], "warnings": [
        "Lĩnh vực 'VIII. Triển khai thực hiện phân cấp quản lý nhà nước' không khớp với lĩnh vực nào đã khai báo; "
        "được giữ là lĩnh vực riêng."]}
    assert [a.area_code for a in parsed.areas] == ["II", None]  # matched by title, not by numeral
    first, second = parsed.areas[0].items
    assert (first.lead, first.coord, first.deadline, first.product) == ("Sở Tư pháp", "Các sở, ngành", "Quý I/2025",
                                                                        "Báo cáo")
    assert (second.title, second.coord) == ("Kiểm tra văn bản", "UBND cấp xã")


def test_heading_forms_and_item_numbers_in_csv(registry: PluginRegistry) -> None:
    rows = ["TT;Nhiệm vụ;Hoạt động;Chủ trì;Phối hợp;Thời gian hoàn thành",
            "1;2;3;4;5;6",
            "III CẢI CÁCH THỦ TỤC HÀNH CHÍNH;;;;;",
            "1.1.;1.3. Nhiệm vụ 3: Rà soát TTHC;2.1. Hoạt động 1: Lập danh mục;VP UBND tỉnh;Sở TTTT;Quý II",
            ";;2.2. Hoạt động 2: Công bố;;;",
            "1.2.;;2.3. Hoạt động 3: Kiểm tra;Văn phòng UBND tỉnh;;Thường xuyên",
            "A;Một cửa liên thông;;;;",
            "1;Tiếp nhận hồ sơ;;Sở KH&CN;;Hàng năm"]
    parsed = analyse_plan("\n".join(rows).encode(), "ke_hoach.csv", registry, year=2024)
    assert parsed.summary()["areas"] == [{"code": "III", "title": "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "rows": 1},
                                         {"code": "III.A", "title": "Một cửa liên thông", "rows": 1}]
    assert [a.area_code for a in parsed.areas] == ["III", "III"]
    [first] = parsed.areas[0].items  # 1.2. has no task of its own: one more activity of 1.1. (issue 13)
    assert (first.number, first.title, first.activity) == ("1.1.", "Rà soát TTHC", "Lập danh mục\nCông bố\nKiểm tra")
    assert [(a.number, a.lead, a.deadline) for a in first.activities] == [
        ("1.1.", "VP UBND tỉnh", "Quý II"), ("1.2.", "Văn phòng UBND tỉnh", "Thường xuyên")]
    assert first.lead == "VP UBND tỉnh\nVăn phòng UBND tỉnh"


def test_docx_reader_resolves_merged_cells() -> None:
    blocks = read_blocks(fixture_bytes("004", "docx"), "docx", "x.docx")
    tables = [b for b in blocks if b.kind == "table"]
    assert len(tables) >= 10  # the list is split over pages
    heading = next(r for r in tables[0].rows if r.cells[0].startswith("I. Chỉ đạo"))
    assert len(set(heading.cells)) == 1 and heading.copies[1:] == [True] * 5  # same text in every cell
    item_one = [r for r in tables[0].rows if r.cells[0] == "1"]
    assert len(item_one) == 1  # the TT cell merged down over the sub-rows is read once
    assert any(b.kind == "para" and b.text == "VI. Cải cách tài chính công" for b in blocks)


def test_item_text_is_merged_and_labels_dropped(registry: PluginRegistry) -> None:
    hai_duong = analyse_plan(fixture_bytes("000", "docx"), "hd.docx", registry, year=2024)
    first = hai_duong.areas[0].items
    task_3 = first[2]  # "1.3. Nhiệm vụ 3" over STT 3 and 4: one task, its two activities listed (issue 13)
    assert task_3.number == "3" and first[3].number == "5"
    assert task_3.title == "Ban hành các văn bản về công tác tuyên truyền CCHC trên địa bàn tỉnh"
    assert [a.number for a in task_3.activities] == ["3", "4"]
    assert task_3.activity.split("\n") == [
        "Xây dựng kế hoạch tuyên truyền CCHC tỉnh Hải Dương năm 2024",
        "Xây dựng Chương trình phối hợp giữa cơ quan QLNN với các cơ quan thông tin, truyền thông của tỉnh về "
        "công tác tuyên truyền CCHC"]
    # no task title repeated once per activity (shifted rows are flagged instead; VII writes "Nhiệm vụ 1" and
    # "Nhiệm vụ 2" with the same text, two tasks of the plan)
    for area in hai_duong.areas[:6]:
        titles = [item.title for item in area.items if not item.problems]
        assert len(titles) == len(set(titles)), area.numeral
    item_72 = next(item for item in hai_duong.areas[6].items if item.number == "72")
    assert item_72.number == "72" and item_72.activity.endswith("Tích hợp Hệ thống thông tin giải quyết TTHC tỉnh "
                                                                 "lên ứng dụng Công dân số")
    hai_phong = analyse_plan(fixture_bytes("004", "xlsx"), "hp.xlsx", registry, year=2024)
    one = hai_phong.areas[0].items[0]
    assert one.title.split("\n") == ["Ban hành Kế hoạch cải cách hành chính năm 2024", "- Thành phố",
                                     "- Các sở, ban, ngành, Ủy ban nhân dân quận, huyện",
                                     "- Ủy ban nhân dân các xã, phường, thị trấn"]
    assert one.deadline.split("\n") == ["Tháng 12/2023", "Trước ngày 25/01/2024", "Trước ngày 31/01/2024"]
    ha_tinh = analyse_plan(fixture_bytes("001", "docx"), "ht.docx", registry, year=2024)
    item = ha_tinh.areas[0].items[0]
    assert item.title.count("\n") == 3 and item.title.startswith("2.1. Ban hành")
    assert "3.6. Các văn bản triển khai các hội nghị" in item.activity


def test_targets_from_chi_tieu_text(registry: PluginRegistry) -> None:
    assert [(n.value, n.unit) for n in find_numbers("Phần đầu năm 2024, giảm 28 biên chế công chức")] == \
        [(28.0, "biên chế")]
    assert [(n.value, n.unit) for n in find_numbers("tỷ lệ nộp hồ sơ trực tuyến đạt 70%")] == [(70.0, "%")]
    assert [(n.value, n.unit) for n in find_numbers("Tối thiểu 80% TTHC có yêu cầu nghĩa vụ tài chính")] == \
        [(80.0, "%")]
    assert [n.value for n in find_numbers("Giảm tối thiểu 2,5% chi theo Nghị định số 60/2021/NĐ-CP")] == [2.5]
    parsed = analyse_plan(fixture_bytes("001", "docx"), "ht.docx", registry, year=2024)
    targets = {t.code: t for t in parsed.targets}
    assert targets["TTHC_TY_LE_TRUC_TUYEN"].value == 70
    assert targets["BM_GIAM_BIEN_CHE_CC"].value == 28
    assert targets["BM_GIAM_BIEN_CHE_VC"].value == 531
    assert targets["TTHC_THANH_TOAN_TRUC_TUYEN"].value == 80
    assert targets["CD_KIEM_TRA"].value == 35
    assert len(targets) == len(parsed.targets)  # one target per indicator code


# ------------------------------------------------------------------------------------------
# Storing
# ------------------------------------------------------------------------------------------

def test_import_stores_plan_tasks_agencies_and_targets(services, registry: PluginRegistry) -> None:
    add_unit(services)
    stored, parsed = run_import(services.sessions, fixture_bytes("000", "docx"), "ke_hoach_hai_duong.docx", "HT",
                                2024, services.registry, services.settings, user="tester", create_agencies=True)
    with services.sessions() as session:
        plan = session.get(Plan, stored.id)
        assert (plan.year, plan.year_end, plan.imported_by) == (2024, 2024, "tester")
        assert plan.source_filename == "ke_hoach_hai_duong.docx" and plan.source_sha256 == parsed.sha256
        assert len(plan.source_sha256) == 64
        assert [(a.numeral, a.area_code, len(a.tasks)) for a in plan.areas] == \
            [(c, code, n) for c, _, n, code in EXPECTED["000"]]
        assert len(plan.tasks) == 51 and [t.position for t in plan.tasks] == list(range(1, 52))
        first = plan.tasks[0]
        assert (first.number, first.deadline_raw, first.deadline_kind) == ("1", "Quý IV/2023", "window")
        assert str(first.deadline_end) == "2023-12-31"
        assert [(ta.agency.name, ta.role) for ta in first.agencies] == [("Sở Nội vụ", "lead")]  # coord: a group
        assert plan.tasks[2].activity.count("\n") == 1  # task 3 with its two activities
        fifth = plan.tasks[3]
        assert fifth.deadline_kind == "continuous"
        assert sorted(ta.agency.name for ta in fifth.agencies if ta.role == "coord") == \
            ["Sở Nội vụ", "Văn phòng UBND tỉnh"]
        second = plan.tasks[1]
        assert (second.deadline_kind, second.deadline_recurrence, str(second.deadline_end)) == \
            ("recurrence", "quarterly", "2024-12-20")
        pttt = session.scalar(select(Agency).where(Agency.name == "Đài Phát thanh - Truyền hình tỉnh"))
        assert pttt is not None and any(a.alias == "Đài PTTH tỉnh" for a in pttt.aliases)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.import")).one()
        assert audit.new["tasks"] == 51 and audit.actor == "tester"
        assert not session.scalar(select(Agency).where(Agency.name.in_(["Kế hoạch", "Hội nghị (lớp tập huấn)",
                                                                        "Các sở, ban, ngành liên quan"])))


def test_import_ha_tinh_keeps_activities_and_targets(services) -> None:  # noqa: ANN001
    add_unit(services)
    stored, parsed = run_import(services.sessions, fixture_bytes("001", "docx"), "ha_tinh.docx", "HT", 2024,
                                services.registry, services.settings, create_agencies=True)
    with services.sessions() as session:
        plan = session.get(Plan, stored.id)
        assert len(plan.tasks) == 48
        assert [a.numeral for a in plan.areas] == [c for c, *_ in EXPECTED["001"]]
        assert plan.areas[-1].area_code is None and plan.areas[-1].title.startswith("Áp dụng ISO")
        task = plan.tasks[0]
        assert task.objective.startswith("1.1. Nâng cao chất lượng")
        assert task.activity.count("\n") >= 4 and task.budget == "Theo dự toán được cấp"
        targets = {i.code: i for i in plan.targets}
        assert len(targets) == len(parsed.targets) > 10
        assert targets["TTHC_TY_LE_TRUC_TUYEN"].target == 70.0
        assert targets["BM_GIAM_BIEN_CHE_CC"].target == 28.0
        assert targets["TTHC_TY_LE_TRUC_TUYEN"].area_code == "III"
        lead_names = {ta.agency.name for t in plan.tasks for ta in t.agencies if ta.role == "lead"}
        assert "Sở Thông tin và Truyền thông" in lead_names and "Sở TTTT" not in lead_names
        assert "Văn phòng UBND tỉnh" in lead_names and "VP UBND tỉnh" not in lead_names


def test_import_again_is_refused_then_replaced_without_duplicates(services) -> None:  # noqa: ANN001
    add_unit(services)
    stored, _ = run_import(services.sessions, fixture_bytes("004", "docx"), "hp.docx", "HT", 2024,
                           services.registry, services.settings)
    with services.transaction() as session:
        task = session.scalars(select(Task).where(Task.plan_id == stored.id, Task.number == "5")).one()
        session.add(StatusUpdate(task=task, period_key="2024-Q1", status="in_progress", result="Đang làm"))
    before = table_counts(services)
    with pytest.raises(PlanImportError, match="đã có kế hoạch năm 2024.*--replace"):
        run_import(services.sessions, fixture_bytes("004", "xlsx"), "hp.xlsx", "HT", 2024, services.registry)
    assert table_counts(services) == before
    replaced, parsed = run_import(services.sessions, fixture_bytes("004", "docx"), "hp_v2.docx", "HT", 2024,
                                  services.registry, replace=True)
    after = table_counts(services)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    assert after["audit_log"] == before["audit_log"] + 1
    assert "Đã chuyển 1 cập nhật tiến độ" in parsed.warnings[-1]
    with services.sessions() as session:
        plans = session.scalars(select(Plan)).all()
        assert [p.id for p in plans] == [replaced.id] and plans[0].source_filename == "hp_v2.docx"
        assert (replaced.id, plans[0].year) == (stored.id, 2024)  # replaced in place, never parked
        update = session.scalars(select(StatusUpdate)).one()
        assert (update.task.plan_id, update.task.number, update.result) == (replaced.id, "5", "Đang làm")


def test_failure_leaves_database_exactly_as_it_was(services, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    add_unit(services)
    before = table_counts(services)
    calls = {"n": 0}
    real = agencies.get_or_create

    def failing(session, unit, name):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("hỏng giữa chừng")
        return real(session, unit, name)

    monkeypatch.setattr(agencies, "get_or_create", failing)
    with pytest.raises(RuntimeError):
        run_import(services.sessions, fixture_bytes("000", "xlsx"), "hd.xlsx", "HT", 2024, services.registry,
                   create_agencies=True)
    assert calls["n"] > 10
    assert table_counts(services) == before


def test_unknown_unit(services) -> None:  # noqa: ANN001
    with pytest.raises(PlanImportError, match="Không tìm thấy đơn vị 'XX'"):
        run_import(services.sessions, fixture_bytes("004", "csv"), "hp.csv", "XX", 2024, services.registry)
    with services.transaction() as session:
        parsed = analyse_plan(fixture_bytes("004", "csv"), "hp.csv", services.registry)
        with pytest.raises(PlanImportError, match="Không tìm thấy đơn vị 'XX'"):
            import_plan(session, parsed, "XX", 2024, False, "hp.csv", parsed.sha256, "tester")


def test_web_upload_can_pass_a_path(tmp_path: Path, registry: PluginRegistry) -> None:
    path = write_fixture(tmp_path, "004", "csv")
    parsed = analyse_plan(path, None, registry, year=2024)
    assert parsed.filename == path.name and parsed.total_rows == 57 and parsed.kind == "csv"
    plain = analyse_plan(seed_fixtures.to_csv(seed_fixtures.hai_phong(), bom=False, delimiter=";"), "hp.csv",
                         registry)
    assert plain.summary()["areas"] == parsed.summary()["areas"]


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------

def test_cli_dry_run_json_prints_exactly_the_summary(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    add_unit(services)
    before = table_counts(services)
    for seed, fmt in (("000", "docx"), ("001", "xlsx"), ("004", "docx"), ("004", "csv")):
        path = write_fixture(tmp_path, seed, fmt)
        result = invoke(runner, "plan", "import", str(path), "--unit", "HT", "--year", "2024", "--dry-run", "--json")
        assert result.exit_code == 0, result.output
        assert result.stdout.count("\n") == 1  # one JSON document, nothing else
        printed = json.loads(result.stdout)
        unknown = printed.pop("unknown_agencies")  # the database is there: names its unit does not know
        assert "Sở Nội vụ" in unknown and not any(name.startswith("Các ") for name in unknown)
        assert printed == analyse_plan(path, None, services.registry, year=2024).summary()
        assert [(a["code"], a["rows"]) for a in printed["areas"]] == [(c, n) for c, _, n, _ in EXPECTED[seed]]
    text = invoke(runner, "plan", "import", str(path), "--unit", "HT", "--year", "2024", "--dry-run")
    assert text.exit_code == 0 and "Chạy thử" in text.output and "Tổng số nhiệm vụ: 57" in text.output
    assert table_counts(services) == before


def test_cli_import_then_refuse_then_replace(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    add_unit(services)
    path = write_fixture(tmp_path, "000", "docx")
    result = invoke(runner, "plan", "import", str(path), "--unit", "HT", "--year", "2024")
    assert result.exit_code == 0, result.output
    assert "Đã nhập kế hoạch năm 2024" in result.output and "Tổng số nhiệm vụ: 51" in result.output
    before = table_counts(services)
    again = invoke(runner, "plan", "import", str(path), "--unit", "HT", "--year", "2024")
    assert again.exit_code == 2
    assert again.stderr.strip().count("\n") == 0 and "--replace" in again.stderr
    assert table_counts(services) == before
    replaced = invoke(runner, "plan", "import", str(path), "--unit", "HT", "--year", "2024", "--replace", "--json")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.stdout)["total_rows"] == 51
    with services.sessions() as session:
        assert session.scalar(select(func.count(Plan.id))) == 1
        assert session.scalar(select(func.count(Task.id))) == 51


def test_cli_bad_arguments(runner: CliRunner, services, tmp_path: Path) -> None:  # noqa: ANN001
    add_unit(services)
    path = write_fixture(tmp_path, "004", "csv")
    for args, message in [
        (("--unit", "XX", "--year", "2024"), "Không tìm thấy đơn vị 'XX'"),
        (("--unit", "XX", "--year", "2024", "--dry-run", "--json"), "Không tìm thấy đơn vị 'XX'"),
        (("--year", "2024"), "Thiếu tùy chọn --unit"),
        (("--unit", "HT", "--year", "2025-2021"), "Năm không hợp lệ"),
        (("--unit", "HT", "--year", "hai nghìn"), "Năm không hợp lệ"),
    ]:
        result = invoke(runner, "plan", "import", str(path), *args)
        assert result.exit_code == 2, args
        assert message in result.stderr and "Traceback" not in result.output
        assert result.stderr.strip().count("\n") == 0 and result.stdout == ""
    assert table_counts(services)["plans"] == 0
