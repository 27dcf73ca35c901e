"""Agencies resolved, not invented (issue 13, item 6): groups, row problems, unknown names kept as text."""
from __future__ import annotations

import unicodedata

import pytest

from sqlalchemy import func, select

from reportsvc.db.models import Agency, AgencyAlias, Task, Unit
from reportsvc.importing import agencies, analyse_plan, run_import
from reportsvc.vn.text import fold
from tests.test_plan_import import add_unit
from tests.web_fixtures import csrf_app  # noqa: F401 - a fixture

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


# ---------------------------------------------------------------- the web preview maps unknown names (item 6)

WEB_PLAN = "\n".join([
    "TT;Nhiệm vụ;Chủ trì;Phối hợp;Thời gian hoàn thành;Sản phẩm",
    "I;Cải cách thể chế;;;;",
    "1;Rà soát văn bản;Sở Tư pháp;Các sở, ban, ngành;Quý I/2031;Báo cáo",
    "2;Tổ chức hội nghị;Phòng Pháp chế Thử;;Quý II/2031;",
    "3;Công khai thủ tục;Ban Điều phối Thử;UBND cấp xã;Thường xuyên;Danh mục",
    "4;Kiểm tra;Tổ Công tác Thử;;Quý III/2031;Thông báo",
    "5;Báo cáo;Kế hoạch;;Quý IV/2031;Báo cáo",
]).encode()


def _upload(client, token: str) -> str:  # noqa: ANN001
    """Upload WEB_PLAN for the province HT, year 2031; return the preview's URL."""
    import io
    response = client.post("/plans/upload", data={"unit": "HT", "year": "2031", "csrf_token": token,
                                                  "file": (io.BytesIO(WEB_PLAN), "kh_2031.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.location


def _choices(html: str) -> dict[str, tuple[str, str]]:
    """Return, per unknown name shown in the preview, the hidden name field and the select's field name."""
    import re
    found = {}
    for index, name in re.findall(r'name="agencies-(\d+)-name"[^>]*value="([^"]*)"', html):
        found[name] = (f"agencies-{index}-name", f"agencies-{index}-choice")
    return found


def test_the_preview_maps_creates_or_keeps_unknown_names(csrf_app, demo_services) -> None:  # noqa: ANN001
    from reportsvc.db.models import AuditEntry, Plan
    from tests.web_fixtures import login

    client = csrf_app.test_client()
    token = login(client, "admin")
    location = _upload(client, token)
    html = client.get(location).get_data(as_text=True)
    # The identity, the row problem, the groups and the unknown names with their selects are shown.
    assert "Văn bản kế hoạch" in html and "Số, ký hiệu" in html
    assert "Dòng cần kiểm tra (1)" in html and "không phải cơ quan" in html
    assert "Nhóm: Tất cả sở, ban, ngành" not in html  # a coordinating group is not the lead's
    choices = _choices(html)
    assert sorted(choices) == ["Ban Điều phối Thử", "Phòng Pháp chế Thử", "Tổ Công tác Thử"]
    assert "Tạo cơ quan mới" in html and "Để trống (giữ tên trong nhiệm vụ)" in html
    with demo_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        tu_phap = session.scalar(select(Agency).where(Agency.unit_id == unit.id, Agency.name == "Sở Tư pháp"))
        before = session.scalar(select(func.count(Agency.id)))
        # An agency of another province: not offered, and refused when posted anyway.
        other = Unit(code="ZZ-TEST", name="Tỉnh Thử", kind="tinh")
        session.add(other)
        session.flush()
        stranger = Agency(name="Sở Ngoài Phạm Vi", key="so ngoai pham vi", unit_id=other.id)
        session.add(stranger)
        session.commit()
        tu_phap_id, stranger_id = tu_phap.id, stranger.id
    assert f'value="{tu_phap_id}"' in html and f'value="{stranger_id}"' not in html
    confirm = location + "/confirm"
    form = {"csrf_token": token}
    for name, (name_field, _) in choices.items():
        form[name_field] = name
    phap_che, dieu_phoi, cong_tac = (choices[n][1] for n in ("Phòng Pháp chế Thử", "Ban Điều phối Thử",
                                                             "Tổ Công tác Thử"))
    refused = client.post(confirm, data={**form, phap_che: str(stranger_id), dieu_phoi: "new", cong_tac: ""})
    assert refused.status_code == 302 and refused.location.endswith(location.rsplit("/", 1)[1])
    assert "không có trong danh mục" in client.get(refused.location).get_data(as_text=True)
    without_csrf = client.post(confirm, data={k: v for k, v in form.items() if k != "csrf_token"})
    assert without_csrf.status_code == 400
    with demo_services.sessions() as session:
        assert session.scalar(select(func.count(Agency.id))) == before + 1  # only the stranger added above
        assert session.scalar(select(Plan.id).join(Unit).where(Unit.code == "HT", Plan.year == 2031)) is None
    done = client.post(confirm, data={**form, phap_che: str(tu_phap_id), dieu_phoi: "new", cong_tac: ""})
    assert done.status_code == 302 and "/plans/" in done.location
    with demo_services.sessions() as session:
        plan = session.scalar(select(Plan).join(Unit).where(Unit.code == "HT", Plan.year == 2031))
        tasks = {t.number: t for t in session.scalars(select(Task).where(Task.plan_id == plan.id))}
        leads = {n: [ta.agency.name for ta in t.agencies if ta.role == "lead"] for n, t in tasks.items()}
        assert leads == {"1": ["Sở Tư pháp"], "2": ["Sở Tư pháp"], "3": ["Ban Điều phối Thử"], "4": [], "5": []}
        assert tasks["4"].lead_text == "Tổ Công tác Thử" and tasks["5"].lead_text == "Kế hoạch"
        assert tasks["3"].lead_group == "" and tasks["1"].lead_group == ""
        created = session.scalar(select(Agency).where(Agency.name == "Ban Điều phối Thử"))
        assert created.unit.code == "HT"
        assert session.scalar(select(func.count(Agency.id))) == before + 2  # the stranger and the new one
        assert session.scalar(select(Agency).where(Agency.name == "Tổ Công tác Thử")) is None
        # The mapped name is kept as an alias of Sở Tư pháp: the next plan resolves it without asking.
        assert agencies.resolve(session, plan.unit, "Phòng Pháp chế Thử").id == tu_phap_id
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.import",
                                                       AuditEntry.entity_id == str(plan.id))) is not None
    # The warnings speak of what the web offers, not of the command line's options.
    page = client.get(done.location).get_data(as_text=True)
    kept = next(line for line in page.splitlines() if "chưa gán cho nhiệm vụ" in line)
    assert "Tổ Công tác Thử" in kept and "“Thay thế kế hoạch đã nhập”" in kept and "“Tạo cơ quan mới”" in kept
    created = next(line for line in page.splitlines() if "Đã thêm 1 cơ quan" in line)
    assert "Ban Điều phối Thử" in created and "trang “Cơ quan” của đơn vị" in created
    assert "--create-agencies" not in page and "reportsvc agencies" not in page


def test_the_command_line_warnings_name_its_options(runner, services, tmp_path) -> None:  # noqa: ANN001
    from reportsvc.cli.main import main

    add_unit(services)
    path = tmp_path / "lech.csv"
    path.write_bytes(MISALIGNED)
    kept = runner.invoke(main, ["plan", "import", str(path), "--unit", "HT", "--year", "2024"], catch_exceptions=False)
    assert kept.exit_code == 0, kept.output
    [warning] = [line for line in kept.output.splitlines() if "chưa gán cho nhiệm vụ" in line]
    assert "Sở Kiểm Tra Mới" in warning and "dùng --create-agencies để tạo chúng" in warning
    assert "Tạo cơ quan mới" not in kept.output and "bước xem trước" not in kept.output
    created = runner.invoke(main, ["plan", "import", str(path), "--unit", "HT", "--year", "2024", "--replace",
                                   "--create-agencies"], catch_exceptions=False)
    assert created.exit_code == 0, created.output
    [warning] = [line for line in created.output.splitlines() if "Đã thêm" in line]
    assert "Sở Kiểm Tra Mới" in warning and "'reportsvc agencies list --unit HT'" in warning
    assert "trang “Cơ quan”" not in created.output


def test_an_import_from_nowhere_known_is_refused(services) -> None:  # noqa: ANN001
    add_unit(services)
    with pytest.raises(ValueError, match="origin"):
        run_import(services.sessions, MISALIGNED, "kh.csv", "HT", 2024, services.registry, origin="api")



# ---------------------------------------------------------------- groups in the completeness annex (item 6)

GROUP_PLAN = "\n".join([
    "TT;Nhiệm vụ;Chủ trì;Phối hợp;Thời gian hoàn thành;Sản phẩm",
    "I;Cải cách thể chế;;;;",
    "1;Rà soát văn bản;Sở Tư pháp;;Quý I/2024;Báo cáo",
    "2;Tự kiểm tra;Các sở, ban, ngành;;Quý I/2024;Báo cáo",
    "3;Niêm yết thủ tục;UBND cấp xã;;Quý I/2024;Danh mục",
    "4;Tuyên truyền;Các cơ quan, đơn vị;;Quý I/2024;Tin bài",
    "5;Kiểm tra cấp huyện;UBND các huyện, thành phố, thị xã;;Quý I/2024;Báo cáo",
]).encode()


def test_group_tasks_count_for_every_department_and_unit_below(services) -> None:  # noqa: ANN001
    from reportsvc.collect.completeness import completeness
    from reportsvc.collect.context import CollectContext
    from reportsvc.db.models import StatusUpdate
    from reportsvc.periods import parse_period
    from reportsvc.vn.text import fold

    add_unit(services)
    with services.transaction() as session:
        province = session.scalar(select(Unit).where(Unit.code == "HT"))
        district = Unit(code="HT-TH", name="Huyện Thạch Hà", kind="huyen", parent=province)
        commune = Unit(code="HT-TH-TD", name="Xã Thạch Đài", kind="xa", parent=district)
        session.add_all([district, commune])
        session.flush()
        for name, owner in (("Sở Tư pháp", province), ("Sở Nội vụ", province), ("UBND xã Thạch Đài", commune)):
            session.add(Agency(name=name, key=fold(name), unit_id=owner.id))
    stored, _ = run_import(services.sessions, GROUP_PLAN, "kh.csv", "HT", 2024, services.registry, services.settings)
    with services.transaction() as session:
        tasks = {t.number: t for t in session.scalars(select(Task).where(Task.plan_id == stored.id))}
        assert (tasks["2"].lead_group, tasks["3"].lead_group, tasks["4"].lead_group, tasks["5"].lead_group) == \
            ("so", "xa", "all", "huyen")
        noi_vu = session.scalar(select(Agency).where(Agency.name == "Sở Nội vụ"))
        xa = session.scalar(select(Agency).where(Agency.name == "UBND xã Thạch Đài"))
        # Sở Nội vụ reports its share of task 2; the commune reports task 3; nobody reports task 4 or 5.
        session.add(StatusUpdate(task_id=tasks["2"].id, period_key="2024-Q1", status="completed", agency_id=noi_vu.id))
        session.add(StatusUpdate(task_id=tasks["3"].id, period_key="2024-Q1", status="completed", agency_id=xa.id))
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        rows = {(row.kind, row.name): (row.assigned, row.reported)
                for row in completeness(CollectContext(session, unit, parse_period("2024-Q1"), services.registry))}
    # Sở Tư pháp: its own task 1 plus the groups "so" (2) and "all" (4); Sở Nội vụ: 2 and 4, reported 2.
    assert rows[("agency", "Sở Tư pháp")] == (3, 0)
    assert rows[("agency", "Sở Nội vụ")] == (2, 1)
    # The district: "huyen" (5) and "all" (4); the commune: "xa" (3) and "all" (4), reported 3.
    assert rows[("unit", "Huyện Thạch Hà")] == (2, 0)
    assert rows[("unit", "Xã Thạch Đài")] == (2, 1)
    assert not any(name.startswith(("Các", "UBND cấp", "Tất cả")) for _, name in rows)


@pytest.mark.parametrize(("written", "group"), [
    ("UBND cấp xã", "xa"), ("UBND các xã, phường", "xa"), ("UBND xã, phường, thị trấn", "xa"),
    ("UBND các huyện, thành phố, thị xã", "huyen"), ("Các sở, ban, ngành", "so"), ("Các cơ quan, đơn vị", "all"),
    ("UBND xã Thạch Đài", ""), ("UBND huyện Thạch Hà", ""), ("UBND thành phố Hà Tĩnh", ""), ("Sở Tư pháp", ""),
    # with or without a leading "Các", in any case and any Unicode normal form
    ("Sở, ban, ngành cấp tỉnh", "so"), ("Sở, ban, ngành có liên quan", "so"), ("các sở, ban, ngành", "so"),
    ("CÁC SỞ, BAN, NGÀNH", "so"), (unicodedata.normalize("NFD", "Sở, ban, ngành cấp tỉnh"), "so"),
    ("Các sở, ngành liên quan", "so"), ("Các Sở, Ban ngành", "so"), ("Các phòng, ban chuyên môn", "so"),
    ("Các UBND cấp xã", "xa"), ("các xã, thị trấn", "xa"), ("UBND các xã, thị trấn", "xa"),
    ("Cơ quan, đơn vị liên quan", "all"), ("các cơ quan, đơn vị", "all"), ("Đơn vị có liên quan", "all"),
    ("UBND các huyện, thị xã, thành phố", "huyen"), ("Các UBND huyện, thị xã, thành phố", "huyen"),
    ("Phòng Nội vụ", ""), ("Ban Quản lý Khu kinh tế tỉnh", ""), ("Sở Ngoại vụ", ""), ("Đơn vị sự nghiệp", ""),
])
def test_a_group_is_a_plural_or_a_tier_never_one_named_unit(written: str, group: str) -> None:
    from reportsvc.importing.agencies import group_of

    assert group_of(written) == group


def test_the_demo_creates_no_agency_named_like_a_group(demo_services) -> None:  # noqa: ANN001
    """The demo imports its plans with create_agencies=True; the placeholders its cells write stay groups."""
    with demo_services.sessions() as session:
        coords = session.scalars(select(Task.coord_text)).all()
        names = session.scalars(select(Agency.name)).all() + session.scalars(select(AgencyAlias.alias)).all()
    written = {name for cell in coords for name in agencies.split_written(cell)}
    assert {"Sở, ban, ngành có liên quan", "Sở, ban, ngành cấp tỉnh", "Các sở, ban, ngành"} <= written
    assert names and [name for name in names if agencies.group_of(name)] == []
    assert not any(fold(name).startswith(("so, ban", "so ban", "cac ")) for name in names)
