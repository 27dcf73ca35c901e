"""Agencies resolved, not invented (issue 13, item 6): groups, row problems, unknown names kept as text."""
from __future__ import annotations

from sqlalchemy import func, select

from reportsvc.db.models import Agency, Task, Unit
from reportsvc.importing import agencies, analyse_plan, run_import
from tests.test_plan_import import add_unit

MISALIGNED = "\n".join([
    "TT;Nhiệm vụ;Chủ trì;Phối hợp;Thời gian hoàn thành;Sản phẩm",
    "I;Cải cách thể chế;;;;",
    "1;Rà soát văn bản;Sở Tư pháp;Các sở, ban, ngành;Quý I/2024;Báo cáo",
    "2;Tổ chức hội nghị tập huấn;Kế hoạch, Hội nghị (lớp tập huấn);Sở Tư pháp;Quý II/2024;",
    "3;Công khai thủ tục;UBND cấp xã;;Thường xuyên;Danh mục",
    "4;Kiểm tra;Sở Kiểm Tra Mới;(không ghi);Quý III/2024;Thông báo",
]).encode()


def test_groups_and_problems_are_told_apart() -> None:
    assert agencies.group_of("Các sở, ban, ngành") == "so"
    assert agencies.group_of("UBND cấp xã") == "xa"
    assert agencies.group_of("UBND các huyện, thành phố, thị xã") == "huyen"
    assert agencies.group_of("Các cơ quan, đơn vị") == "all" == agencies.group_of("Các cơ quan chủ trì")
    assert agencies.group_of("Sở Nội vụ") == "" == agencies.group_of("UBND tỉnh")
    assert agencies.not_agency_reason("Kế hoạch") and agencies.not_agency_reason("Hội nghị (lớp tập huấn)")
    assert agencies.not_agency_reason("Xây dựng kế hoạch tuyên truyền") and agencies.not_agency_reason("Quý I/2024")
    assert agencies.not_agency_reason("Sở Lao động, Thương binh và Xã hội") == ""
    assert agencies.split_written("Sở Tư pháp và các sở, ngành, UBND cấp huyện") == \
        ["Sở Tư pháp", "các sở, ngành", "UBND cấp huyện"]


def test_a_misaligned_row_is_flagged(registry=None) -> None:  # noqa: ANN001
    from reportsvc.hooks.registry import build_registry
    parsed = analyse_plan(MISALIGNED, "kh.csv", build_registry(), year=2024)
    [problem] = parsed.row_problems
    assert problem["number"] == "2" and "Kế hoạch" in problem["problems"][0]
    assert any(w.startswith("Dòng") and "không phải tên cơ quan" in w for w in parsed.warnings)


def test_an_import_with_a_misaligned_row_creates_no_agency_unasked(services) -> None:  # noqa: ANN001
    add_unit(services)
    with services.transaction() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        session.add(Agency(name="Sở Tư pháp", key="so tu phap", unit_id=unit.id))
    stored, parsed = run_import(services.sessions, MISALIGNED, "kh.csv", "HT", 2024, services.registry,
                                services.settings)
    with services.sessions() as session:
        assert [a.name for a in session.scalars(select(Agency))] == ["Sở Tư pháp"]
        tasks = {t.number: t for t in session.scalars(select(Task).where(Task.plan_id == stored.id))}
        assert [(ta.agency.name, ta.role) for ta in tasks["1"].agencies] == [("Sở Tư pháp", "lead")]
        assert tasks["1"].lead_group == "" and tasks["3"].lead_group == "xa" and not tasks["3"].agencies
        assert tasks["2"].lead_text == "Kế hoạch, Hội nghị (lớp tập huấn)"
        assert [ta.role for ta in tasks["2"].agencies] == ["coord"]
        assert tasks["4"].lead_text == "Sở Kiểm Tra Mới" and not tasks["4"].agencies
    assert any("Sở Kiểm Tra Mới" in w and "--create-agencies" in w for w in parsed.warnings)


def test_create_agencies_creates_only_unknown_names(services) -> None:  # noqa: ANN001
    add_unit(services)
    stored, _ = run_import(services.sessions, MISALIGNED, "kh.csv", "HT", 2024, services.registry,
                           services.settings, create_agencies=True)
    with services.sessions() as session:
        names = sorted(a.name for a in session.scalars(select(Agency)))
        assert names == ["Sở Kiểm Tra Mới", "Sở Tư pháp"]
        assert session.scalar(select(func.count(Task.id)).where(Task.plan_id == stored.id)) == 4
