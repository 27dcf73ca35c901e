"""Agencies belong to a unit: two provinces' "Sở Tư pháp" are two agencies, aliases are per unit, and a merger
of departments moves their tasks, users and history to the successor.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.db.models import Agency, AuditEntry, IndicatorValue, StatusUpdate, TaskAgency, Unit, User
from reportsvc.importing.agencies import resolve
from tests.cli_helpers import ok, refused, run
from tests.fixtures.units.make_country import QUANG_TRI_CSV, hung_yen_xlsx


def listing(runner: CliRunner, unit: str, *extra: str) -> list[dict]:
    """Return ``agencies list --unit UNIT --json``."""
    return json.loads(ok(runner, "agencies", "list", "--unit", unit, "--json", *extra).stdout)


@pytest.fixture
def provinces(runner: CliRunner, services, tmp_path) -> None:  # noqa: ANN001
    """Quảng Trị (44) and Hưng Yên (33), each with its own Sở Tư pháp and Sở Nội vụ."""
    xlsx = tmp_path / "hy.xlsx"
    xlsx.write_bytes(hung_yen_xlsx())
    ok(runner, "units", "import", str(QUANG_TRI_CSV))
    ok(runner, "units", "import", str(xlsx))
    for unit in ("44", "33"):
        ok(runner, "agencies", "add", "Sở Tư pháp", "--unit", unit)
        ok(runner, "agencies", "add", "Sở Nội vụ", "--unit", unit)


def test_two_provinces_each_have_their_own_department(runner: CliRunner, services, provinces) -> None:  # noqa: ANN001
    quang_tri, hung_yen = listing(runner, "44"), listing(runner, "33")
    assert [a["name"] for a in quang_tri] == [a["name"] for a in hung_yen] == ["Sở Nội vụ", "Sở Tư pháp"]
    assert {a["id"] for a in quang_tri}.isdisjoint(a["id"] for a in hung_yen)
    assert all(a["unit"] == "44" for a in quang_tri) and all(a["unit"] == "33" for a in hung_yen)
    assert refused(runner, "agencies", "add", "Sở Tư pháp", "--unit", "44") == "Lỗi: Tỉnh Quảng Trị đã có cơ quan 'Sở Tư pháp'."
    # a user of each province is bound to that province's department
    ok(runner, "users", "create", "qt-stp", "--role", "editor", "--unit", "44", "--agency", "Sở Tư pháp",
       "--password", "mat-khau-qt")
    ok(runner, "users", "create", "hy-stp", "--role", "editor", "--unit", "33", "--agency", "sở tư pháp",
       "--password", "mat-khau-hy")
    with services.sessions() as session:
        bound = {u.username: (u.agency.unit.code, u.unit.code) for u in session.scalars(select(User))}
    assert bound == {"qt-stp": ("44", "44"), "hy-stp": ("33", "33")}
    # a commune's plans see its province's departments, not another province's
    with services.sessions() as session:
        ward = session.scalar(select(Unit).where(Unit.name == "Phường Đồng Hới"))
        assert resolve(session, ward, "Sở Tư pháp").unit.code == "44"


def test_aliases_are_kept_per_unit(runner: CliRunner, services, provinces) -> None:  # noqa: ANN001
    assert ok(runner, "agencies", "alias", "Sở Tư pháp", "STP", "--unit", "44").stdout == \
        "Đã thêm tên gọi 'STP' cho 'Sở Tư pháp'.\n"
    assert listing(runner, "44")[1]["aliases"] == ["STP"] and listing(runner, "33")[1]["aliases"] == []
    ok(runner, "users", "create", "qt-stp", "--role", "editor", "--unit", "44", "--agency", "STP", "--password", "mat-khau-qt")
    assert refused(runner, "users", "create", "hy-stp", "--role", "editor", "--unit", "33", "--agency", "STP",
                   "--password", "mat-khau-hy") == "Lỗi: Không tìm thấy cơ quan 'STP' của Tỉnh Hưng Yên."
    assert refused(runner, "agencies", "alias", "Sở Nội vụ", "STP", "--unit", "44") == \
        "Lỗi: Tên gọi 'STP' đã dùng cho cơ quan 'Sở Tư pháp'."
    assert refused(runner, "agencies", "alias", "Sở Nội vụ", "Sở Tư pháp", "--unit", "44") == \
        "Lỗi: 'Sở Tư pháp' là tên của cơ quan khác ('Sở Tư pháp')."
    # renaming keeps the old name as an alias, in that unit only
    ok(runner, "agencies", "rename", "Sở Nội vụ", "--name", "Sở Nội vụ tỉnh Quảng Trị", "--unit", "44")
    names = {a["name"]: a["aliases"] for a in listing(runner, "44")}
    assert names["Sở Nội vụ tỉnh Quảng Trị"] == ["Sở Nội vụ"]
    assert [a["name"] for a in listing(runner, "33")] == ["Sở Nội vụ", "Sở Tư pháp"]
    with services.sessions() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.entity == "agency")
                                                     .order_by(AuditEntry.id))]
    assert actions == ["agency.create"] * 4 + ["agency.alias", "agency.rename"]


def test_a_province_admin_manages_only_its_own_agencies(runner: CliRunner, services, provinces) -> None:  # noqa: ANN001
    ok(runner, "users", "create", "qt-admin", "--role", "admin", "--unit", "44", "--password", "mat-khau-qt")
    ok(runner, "--user", "qt-admin", "agencies", "add", "Sở Xây dựng", "--unit", "44")
    assert refused(runner, "--user", "qt-admin", "agencies", "add", "Sở Xây dựng", "--unit", "33") == \
        "Lỗi: Không tìm thấy đơn vị '33'"
    assert refused(runner, "--user", "qt-admin", "agencies", "list", "--unit", "33") == "Lỗi: Không tìm thấy đơn vị '33'"
    assert [a["name"] for a in listing(runner, "33")] == ["Sở Nội vụ", "Sở Tư pháp"]
    with services.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "agency.create")
                               .order_by(AuditEntry.id.desc()))
        assert (entry.actor, entry.new) == ("qt-admin", {"name": "Sở Xây dựng", "unit": "44"})


def test_a_merger_of_departments_moves_tasks_users_and_history(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    ok(runner, "users", "create", "tttt", "--role", "editor", "--unit", "HT", "--agency", "Sở TTTT",
       "--password", "mat-khau-tttt")

    def held(name: str) -> tuple[int, int, int, int]:
        with demo_services.sessions() as session:
            agency = session.scalar(select(Agency).where(Agency.name == name))
            return tuple(session.scalar(select(func.count(model.id)).where(model.agency_id == agency.id))
                         for model in (TaskAgency, StatusUpdate, IndicatorValue, User))

    old, kept = held("Sở Thông tin và Truyền thông"), held("Sở Khoa học và Công nghệ")
    assert old[0] > 0 and old[1] > 0 and old[3] == 1 and kept[0] > 0
    with demo_services.sessions() as session:
        tasks_before = session.scalar(select(func.count(func.distinct(TaskAgency.task_id))))
    ok(runner, "agencies", "merge", "Sở TTTT", "--into", "Sở KH&CN", "--unit", "HT")
    assert held("Sở Thông tin và Truyền thông") == (0, 0, 0, 0)
    merged = held("Sở Khoa học và Công nghệ")
    assert merged[1:] == (kept[1] + old[1], kept[2] + old[2], kept[3] + 1)
    assert kept[0] < merged[0] <= kept[0] + old[0]  # a task both led keeps one row per role
    with demo_services.sessions() as session:
        assert session.scalar(select(func.count(func.distinct(TaskAgency.task_id)))) == tasks_before
        user = session.scalar(select(User).where(User.username == "tttt"))
        assert user.agency.name == "Sở Khoa học và Công nghệ"
        ht = session.scalar(select(Unit).where(Unit.code == "HT"))
        assert resolve(session, ht, "Sở TTTT").name == "Sở Khoa học và Công nghệ"  # plans naming it still resolve
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "agency.merge"))
        assert (entry.old, entry.new, entry.unit_id) == ({"name": "Sở Thông tin và Truyền thông"},
                                                         {"successor": "Sở Khoa học và Công nghệ"}, ht.id)
    current = {a["name"]: a for a in listing(runner, "HT")}
    assert "Sở Thông tin và Truyền thông" not in current
    assert "Sở Thông tin và Truyền thông" in current["Sở Khoa học và Công nghệ"]["aliases"]
    every = {a["name"]: a["successor"] for a in listing(runner, "HT", "--all")}
    assert every["Sở Thông tin và Truyền thông"] == "Sở Khoa học và Công nghệ"


def test_a_merger_into_a_new_department(runner: CliRunner, demo_services) -> None:  # noqa: ANN001
    ok(runner, "agencies", "add", "Sở Tài nguyên và Môi trường", "--unit", "HT")
    ok(runner, "agencies", "add", "Sở Nông nghiệp và Phát triển nông thôn", "--unit", "HT")
    out = ok(runner, "agencies", "merge", "Sở TN&MT", "Sở NN&PTNT", "--into", "Sở Nông nghiệp và Môi trường",
             "--unit", "HT").stdout
    assert out == "Đã hợp nhất Sở TN&MT; Sở NN&PTNT vào 'Sở Nông nghiệp và Môi trường'.\n"
    assert "Sở Nông nghiệp và Môi trường" in {a["name"] for a in listing(runner, "HT")}


@pytest.mark.parametrize(("args", "message"), [
    (("merge", "Sở Tư pháp", "--into", "Sở Tư pháp", "--unit", "HT"), "Lỗi: Không thể hợp nhất 'Sở Tư pháp' vào chính nó."),
    (("merge", "Sở Không Có", "--into", "Sở Tư pháp", "--unit", "HT"),
     "Lỗi: Không tìm thấy cơ quan 'Sở Không Có' của tỉnh Hà Tĩnh."),
    (("merge", "--into", "Sở Tư pháp", "--unit", "HT"), "Lỗi: Thiếu tham số TÊN_CŨ..."),
    (("rename", "Sở Tư pháp", "--name", "Sở Nội vụ", "--unit", "HT"),
     "Lỗi: tỉnh Hà Tĩnh đã có cơ quan 'Sở Nội vụ'; hãy hợp nhất (agencies merge) thay vì đổi tên."),
    (("add", " ", "--unit", "HT"), "Lỗi: Tên cơ quan không được để trống."),
    (("list", "--unit", "ZZ"), "Lỗi: Không tìm thấy đơn vị 'ZZ'"),
    (("list",), "Lỗi: Thiếu tùy chọn --unit: mã đơn vị có cơ quan, ví dụ HT."),
])
def test_bad_agency_commands(runner: CliRunner, demo_services, args: tuple[str, ...], message: str) -> None:  # noqa: ANN001
    with demo_services.sessions() as session:
        before = session.scalar(select(func.count(AuditEntry.id)))
    assert refused(runner, "agencies", *args) == message
    with demo_services.sessions() as session:
        assert session.scalar(select(func.count(AuditEntry.id))) == before
