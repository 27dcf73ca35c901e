"""The administration pages and API endpoints: units, report settings, agencies and users.

A province admin (the demo's ``admin``, Hà Tĩnh) sets up its tree, settings, departments and
accounts through the Flask test client with CSRF on; bad values come back with the service's
Vietnamese message and store nothing; a viewer and an editor are refused with 403.
"""
from __future__ import annotations

import html
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from reportsvc.db import unitsettings
from reportsvc.db.models import Agency, AuditEntry, Unit, User
from reportsvc.services.agencies import list_agencies
from reportsvc.services.runtime import Services
from tests.web_fixtures import api_token, csrf_app, login  # noqa: F401 - fixture


def text_of(response: Any) -> str:
    """Return a page's text with HTML entities decoded (messages quote names with ')."""
    return html.unescape(response.get_data(as_text=True))


def unit_row(services: Services, code: str) -> Unit | None:
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == code))
        if unit is not None:
            session.expunge(unit)
        return unit


def settings_of(services: Services, code: str) -> dict[str, Any]:
    with services.sessions() as session:
        return unitsettings.as_dict(session.scalar(select(Unit).where(Unit.code == code)))


def actions(services: Services) -> list[tuple[str, str, str]]:
    with services.sessions() as session:
        return [(e.actor, e.action, e.entity_id) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def agency_id(services: Services, unit_code: str, name: str) -> int:
    with services.sessions() as session:
        return session.scalar(select(Agency.id).join(Unit, Unit.id == Agency.unit_id)
                              .where(Unit.code == unit_code, Agency.name == name))


def user_row(services: Services, username: str) -> User:
    with services.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, username
        session.expunge(user)
        return user


def signs_in(app: Flask, username: str, password: str) -> bool:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    from tests.web_fixtures import csrf_from

    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page)})
    return response.status_code == 302


def admin_client(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    return client, login(client, "admin")


# ---------------------------------------------------------------- units

def test_admin_adds_renames_and_moves_units(csrf_app: Flask, demo_services: Services) -> None:
    client, csrf = admin_client(csrf_app)
    tree = text_of(client.get("/admin/units"))
    assert "tỉnh Hà Tĩnh" in tree and "xã Thạch Đài" in tree and "HT-CX-CV" in tree
    assert 'href="/admin/units"' in client.get("/").get_data(as_text=True)  # in the navigation

    added = client.post("/admin/units", data={"csrf_token": csrf, "code": "28999", "name": "xã Thạch Mới",
                                              "kind": "xa", "parent": "HT-TH"})
    assert added.status_code == 302 and added.location.endswith("/admin/units/28999")
    unit = unit_row(demo_services, "28999")
    assert (unit.name, unit.kind, unit.place) == ("xã Thạch Mới", "xa", "Thạch Mới")
    assert ("admin", "unit.create", "28999") in actions(demo_services)

    # The same code again, a commune with no parent, a parent outside the admin's tree: refused, nothing stored.
    again = client.post("/admin/units", data={"csrf_token": csrf, "code": "28999", "name": "xã Khác", "kind": "xa",
                                              "parent": "HT-TH"})
    assert again.status_code == 422 and "Mã đơn vị '28999' đã được dùng." in text_of(again)
    wrong_level = client.post("/admin/units", data={"csrf_token": csrf, "code": "28998", "name": "huyện Con",
                                                    "kind": "huyen", "parent": "HT-TH"})
    assert wrong_level.status_code == 422 and "không thể trực thuộc huyện Thạch Hà" in text_of(wrong_level)
    outside = client.post("/admin/units", data={"csrf_token": csrf, "code": "28997", "name": "xã Ngoài",
                                                "kind": "xa", "parent": "QT"})
    assert outside.status_code == 422 and "'QT' không thuộc phạm vi quản lý của bạn" in text_of(outside)
    assert unit_row(demo_services, "28998") is None and unit_row(demo_services, "28997") is None
    assert "xã Thạch Mới" in text_of(client.get("/admin/units"))

    renamed = client.post("/admin/units/28999/rename", data={"csrf_token": csrf, "name": "phường Thạch Mới",
                                                             "kind": "phuong"})
    assert renamed.status_code == 302
    assert (unit_row(demo_services, "28999").name, unit_row(demo_services, "28999").kind) == \
        ("phường Thạch Mới", "phuong")
    empty = client.post("/admin/units/28999/rename", data={"csrf_token": csrf, "name": "   ", "kind": "phuong"})
    assert empty.status_code == 422 and "Tên đơn vị không được để trống." in text_of(empty)

    moved = client.post("/admin/units/28999/move", data={"csrf_token": csrf, "parent": "HT-CX"})
    assert moved.status_code == 302
    with demo_services.sessions() as session:
        assert session.scalar(select(Unit).where(Unit.code == "28999")).parent.code == "HT-CX"
    into_itself = client.post("/admin/units/HT-TH/move", data={"csrf_token": csrf, "parent": "HT-TH"})
    assert into_itself.status_code == 422
    assert "vào chính nó hoặc đơn vị trực thuộc nó" in text_of(into_itself)
    assert ("admin", "unit.move", "28999") in actions(demo_services)
    assert client.get("/admin/units/NOPE").status_code == 404


def test_admin_sets_the_report_settings_and_bad_values_store_nothing(csrf_app: Flask,
                                                                      demo_services: Services) -> None:
    client, csrf = admin_client(csrf_app)
    form = {"csrf_token": csrf, "parent_body": "UBND tỉnh Hà Tĩnh", "issuing_body": "Sở Nội vụ", "place": "Hà Tĩnh",
            "doc_symbol": "BC-SNV", "sign_authority": "KT. GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
            "signer_name": "Lê Thị <Hà> & Co", "recipients": "Bộ Nội vụ (b/c)\r\nUBND tỉnh\r\nLưu: VT, CCHC",
            "cutoff_day": "15", "submission_day": "20", "reports": ["Q1", "H1", "M9", "Y"]}
    saved = client.post("/admin/units/HT/settings", data=form)
    assert saved.status_code == 302, text_of(saved)[:2000]
    stored = settings_of(demo_services, "HT")
    assert stored["doc_symbol"] == "BC-SNV" and stored["issuing_body"] == "SỞ NỘI VỤ"
    assert stored["parent_body"] == "UBND TỈNH HÀ TĨNH" and stored["signer_name"] == "Lê Thị <Hà> & Co"
    assert stored["recipients"] == ["Bộ Nội vụ (b/c);", "UBND tỉnh;", "Lưu: VT, CCHC."]
    assert (stored["cutoff_day"], stored["submission_day"], stored["reports"]) == (15, 20, ["Q1", "H1", "M9", "Y"])
    assert ("admin", "unit.settings", "HT") in actions(demo_services)
    page = client.get("/admin/units/HT").get_data(as_text=True)
    assert 'value="Lê Thị &lt;Hà&gt; &amp; Co"' in page  # shown literally, escaped
    assert 'value="M9" checked' in page and 'value="Q3" >' in page

    bad = client.post("/admin/units/HT/settings", data={**form, "doc_symbol": "XYZ", "cutoff_day": "31",
                                                         "sign_authority": "Chủ tịch", "signer_name": "Người khác"})
    assert bad.status_code == 422
    body = text_of(bad)
    assert "Ký hiệu văn bản không hợp lệ: 'XYZ'" in body
    assert "Ngày chốt số liệu không hợp lệ: '31' (cần số nguyên từ 1 đến 28)." in body
    assert "Thẩm quyền ký không hợp lệ" in body
    assert 'value="Người khác"' in body  # the typed values are kept for correcting
    assert settings_of(demo_services, "HT") == stored  # nothing stored, not even the good values

    # Emptying a field puts the default back.
    reset = client.post("/admin/units/HT/settings", data={**form, "issuing_body": "", "submission_day": ""})
    assert reset.status_code == 302
    after = settings_of(demo_services, "HT")
    assert after["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH" and after["submission_day"] is None


# ---------------------------------------------------------------- agencies

def test_admin_manages_a_units_agencies(csrf_app: Flask, demo_services: Services) -> None:
    client, csrf = admin_client(csrf_app)
    page = text_of(client.get("/admin/agencies", follow_redirects=True))
    assert "Cơ quan của tỉnh Hà Tĩnh" in page and "Sở Tư pháp" in page

    def post(action: str, **data: Any) -> Any:
        return client.post(f"/admin/agencies/HT/{action}", data={"csrf_token": csrf, **data})

    assert post("add", name="Sở Xây dựng").status_code == 302
    duplicate = post("add", name="Sở Xây dựng")
    assert duplicate.status_code == 422 and "tỉnh Hà Tĩnh đã có cơ quan 'Sở Xây dựng'." in text_of(duplicate)
    assert post("alias", agency="Sở Xây dựng", alias="SXD").status_code == 302
    assert post("rename", agency="Sở Xây dựng", new_name="Sở Xây dựng và Đô thị").status_code == 302
    unknown = post("rename", agency="Sở Không Có", new_name="Sở Mới")
    assert unknown.status_code == 422 and "Không tìm thấy cơ quan 'Sở Không Có' của tỉnh Hà Tĩnh." in text_of(unknown)
    assert post("add", name="Sở Nông nghiệp và Phát triển nông thôn").status_code == 302
    assert post("add", name="Sở Tài nguyên và Môi trường").status_code == 302
    merged = client.post("/admin/agencies/HT/merge", data={
        "csrf_token": csrf, "olds": ["Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường"],
        "into": "Sở Nông nghiệp và Môi trường"})
    assert merged.status_code == 302
    nothing = post("merge", into="Sở Nội vụ")
    assert nothing.status_code == 422 and "Hãy chọn ít nhất một cơ quan để hợp nhất." in text_of(nothing)

    with demo_services.sessions() as session:
        rows = {row["name"]: row for row in list_agencies(session, "HT", include_merged=True)}
    assert set(rows["Sở Xây dựng và Đô thị"]["aliases"]) == {"SXD", "Sở Xây dựng"}
    assert rows["Sở Tài nguyên và Môi trường"]["successor"] == "Sở Nông nghiệp và Môi trường"
    assert {"Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường"} <= \
        set(rows["Sở Nông nghiệp và Môi trường"]["aliases"])
    listed = text_of(client.get("/admin/agencies/HT"))
    assert "Sở Xây dựng và Đô thị" in listed and "SXD" in listed
    assert "đã hợp nhất vào" not in listed  # merged ones only with ?all=1
    assert "đã hợp nhất vào Sở Nông nghiệp và Môi trường" in text_of(client.get("/admin/agencies/HT?all=1"))
    done = [action for _, action, _ in actions(demo_services)]
    assert {"agency.create", "agency.alias", "agency.rename", "agency.merge"} <= set(done)
    # A commune's agencies are its own.
    assert client.post("/admin/agencies/HT-TH-TD/add", data={"csrf_token": csrf,
                                                              "name": "Công an xã Thạch Đài"}).status_code == 302
    commune = text_of(client.get("/admin/agencies?unit=HT-TH-TD", follow_redirects=True))
    assert "Công an xã Thạch Đài" in commune and "UBND xã Thạch Đài" in commune and "Sở Tư pháp" not in commune
    assert "Công an xã Thạch Đài" not in text_of(client.get("/admin/agencies/HT"))


# ---------------------------------------------------------------- users

def test_admin_creates_disables_and_rebinds_users(csrf_app: Flask, demo_services: Services) -> None:
    client, csrf = admin_client(csrf_app)
    client.post("/admin/agencies/HT/add", data={"csrf_token": csrf, "name": "Sở Xây dựng"})
    sxd = agency_id(demo_services, "HT", "Sở Xây dựng")
    commune_ubnd = agency_id(demo_services, "HT-TH-TD", "UBND xã Thạch Đài")
    page = text_of(client.get("/admin/users"))
    assert "stp" in page and "Lê Văn Nam" in page and 'value="superadmin"' not in page

    base = {"csrf_token": csrf, "username": "xd.nguyen", "full_name": "Nguyễn Văn Xây", "role": "editor",
            "unit": "HT", "agency": str(sxd), "password": "xay-dung-2025"}
    created = client.post("/admin/users", data=base)
    assert created.status_code == 302, text_of(created)[:3000]
    user = user_row(demo_services, "xd.nguyen")
    assert (user.role, user.active) == ("editor", True)
    with demo_services.sessions() as session:
        stored = session.scalar(select(User).where(User.username == "xd.nguyen"))
        assert (stored.unit.code, stored.agency.name) == ("HT", "Sở Xây dựng")
    assert ("admin", "user.create", str(user.id)) in actions(demo_services)
    assert signs_in(csrf_app, "xd.nguyen", "xay-dung-2025")

    refusals = {
        "Vai trò không hợp lệ: 'superadmin'": {"username": "sa2", "role": "superadmin"},
        "Tên đăng nhập 'xd.nguyen' đã tồn tại.": {},
        "phải gắn với một cơ quan": {"username": "ed2", "agency": ""},
        "Cơ quan đã chọn không phải cơ quan của xã Thạch Đài.": {"username": "ed3", "unit": "HT-TH-TD"},
        "'QT' không thuộc phạm vi quản lý của bạn": {"username": "ed4", "unit": "QT"},
        "Mật khẩu phải có ít nhất 8 ký tự.": {"username": "ed5", "password": "ngan"},
    }
    for message, change in refusals.items():
        response = client.post("/admin/users", data={**base, **change})
        assert response.status_code == 422, (message, response.status_code)
        assert message in text_of(response), message
    with demo_services.sessions() as session:
        assert not session.scalars(select(User).where(User.username.in_(["sa2", "ed2", "ed3", "ed4", "ed5"]))).all()

    # A commune viewer, with the commune's own UBND.
    assert client.post("/admin/users", data={**base, "username": "td.xem", "role": "viewer", "unit": "HT-TH-TD",
                                             "agency": str(commune_ubnd)}).status_code == 302

    # Disable: no sign-in; enable again; a new password; another unit and agency.
    assert client.post(f"/admin/users/{user.id}/active", data={"csrf_token": csrf, "active": "0"}).status_code == 302
    assert not user_row(demo_services, "xd.nguyen").active and not signs_in(csrf_app, "xd.nguyen", "xay-dung-2025")
    assert client.post(f"/admin/users/{user.id}/active", data={"csrf_token": csrf, "active": "1"}).status_code == 302
    assert signs_in(csrf_app, "xd.nguyen", "xay-dung-2025")
    short = client.post(f"/admin/users/{user.id}/password", data={"csrf_token": csrf, "password": "123"})
    assert short.status_code == 422 and "Mật khẩu phải có ít nhất 8 ký tự." in text_of(short)
    assert client.post(f"/admin/users/{user.id}/password",
                       data={"csrf_token": csrf, "password": "mat-khau-moi-2025"}).status_code == 302
    assert signs_in(csrf_app, "xd.nguyen", "mat-khau-moi-2025") and not signs_in(csrf_app, "xd.nguyen",
                                                                                  "xay-dung-2025")
    no_agency = client.post(f"/admin/users/{user.id}/unit", data={"csrf_token": csrf, "unit": "HT-TH-TD",
                                                                  "agency": ""})
    assert no_agency.status_code == 422 and "phải gắn với một cơ quan" in text_of(no_agency)
    rebound = client.post(f"/admin/users/{user.id}/unit", data={"csrf_token": csrf, "unit": "HT-TH-TD",
                                                                "agency": str(commune_ubnd)})
    assert rebound.status_code == 302
    with demo_services.sessions() as session:
        stored = session.scalar(select(User).where(User.username == "xd.nguyen"))
        assert (stored.unit.code, stored.agency.name) == ("HT-TH-TD", "UBND xã Thạch Đài")
    done = [action for _, action, _ in actions(demo_services)]
    assert {"user.disable", "user.enable", "user.password", "user.unit"} <= set(done)
    # The admin cannot lock itself out.
    me = user_row(demo_services, "admin")
    myself = client.post(f"/admin/users/{me.id}/active", data={"csrf_token": csrf, "active": "0"})
    assert myself.status_code == 422 and user_row(demo_services, "admin").active


# ---------------------------------------------------------------- who may

ADMIN_PAGES = ["/admin/units", "/admin/units/HT", "/admin/agencies/HT", "/admin/users", "/admin/users/{user}"]
ADMIN_POSTS = ["/admin/units", "/admin/units/HT/rename", "/admin/units/HT-TH-TD/move", "/admin/units/HT/settings",
               "/admin/agencies/HT/add", "/admin/agencies/HT/rename", "/admin/agencies/HT/alias",
               "/admin/agencies/HT/merge", "/admin/users", "/admin/users/{user}/active", "/admin/users/{user}/password",
               "/admin/users/{user}/unit"]


def test_viewers_and_editors_get_403_and_nothing_changes(csrf_app: Flask, demo_services: Services) -> None:
    target = user_row(demo_services, "admin").id
    before = (settings_of(demo_services, "HT"), len(actions(demo_services)))
    for username in ("xem", "stp"):
        client = csrf_app.test_client()
        csrf = login(client, username)
        for url in ADMIN_PAGES:
            assert client.get(url.format(user=target)).status_code == 403, (username, url)
        for url in ADMIN_POSTS:
            response = client.post(url.format(user=target), data={
                "csrf_token": csrf, "code": "28999", "name": "Sở Mới", "kind": "xa", "parent": "HT", "active": "0",
                "password": "mat-khau-moi-2025", "username": "moi", "role": "admin", "unit": "HT",
                "doc_symbol": "BC-X"})
            assert response.status_code == 403, (username, url, response.status_code)
        assert 'href="/admin/units"' not in client.get("/").get_data(as_text=True)
    assert (settings_of(demo_services, "HT"), len(actions(demo_services))) == before
    assert user_row(demo_services, "admin").active


# ---------------------------------------------------------------- API

def test_api_units_settings_agencies_and_users(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    admin = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    viewer = {"Authorization": f"Bearer {api_token(demo_services, 'xem')}"}
    editor = {"Authorization": f"Bearer {api_token(demo_services, 'stp')}"}

    tree = client.get("/api/v1/units", headers=viewer).get_json()
    assert [row["code"] for row in tree][:3] == ["HT", "HT-CX", "HT-CX-CB"] and tree[0]["depth"] == 0
    assert [row["code"] for row in client.get("/api/v1/units?under=HT-TH", headers=viewer).get_json()] == \
        ["HT-TH", "HT-TH-TD", "HT-TH-TL"]

    created = client.post("/api/v1/units", headers=admin, json={"code": "28999", "name": "xã Thạch Mới",
                                                                "kind": "xa", "parent": "HT-TH"})
    assert created.status_code == 201 and created.get_json()["parent"] == "HT-TH"
    twice = client.post("/api/v1/units", headers=admin, json={"code": "28999", "name": "xã Khác", "kind": "xa",
                                                              "parent": "HT-TH"})
    assert twice.status_code == 400 and twice.get_json()["error"] == "Mã đơn vị '28999' đã được dùng."
    missing = client.post("/api/v1/units", headers=admin, json={"code": "28998", "kind": "xa", "hang": 1})
    assert missing.status_code == 422
    assert "Thiếu tên đơn vị (name)." in missing.get_json()["errors"]
    assert "Trường 'hang' không phải trường được nhận." in missing.get_json()["errors"]
    assert client.post("/api/v1/units", headers=editor, json={"code": "28997", "name": "xã A", "kind": "xa",
                                                              "parent": "HT-TH"}).status_code == 403
    assert client.post("/api/v1/units", headers=viewer, json={}).status_code == 403

    patched = client.patch("/api/v1/units/28999", headers=admin, json={"name": "phường Thạch Mới", "kind": "phuong",
                                                                        "parent": "HT-CX"})
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["name"], patched.get_json()["parent"]) == ("phường Thạch Mới", "HT-CX")
    assert client.get("/api/v1/units/HT-CX", headers=viewer).get_json()["children"] == ["28999", "HT-CX-CB",
                                                                                         "HT-CX-CV"]
    assert client.patch("/api/v1/units/28999", headers=admin, json={}).status_code == 422
    assert client.get("/api/v1/units/NOPE", headers=viewer).status_code == 404

    settings = client.get("/api/v1/units/HT/settings", headers=viewer).get_json()
    assert settings["settings"]["signer_name"] == "Nguyễn Hồng Lĩnh"
    put = client.put("/api/v1/units/HT/settings", headers=admin,
                     json={"doc_symbol": "BC-SNV", "signer_name": "Trần Văn Ký", "cutoff_day": 15,
                           "recipients": ["Bộ Nội vụ", "Lưu: VT"], "reports": "Q1,H1,M9,Y"})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["settings"]["doc_symbol"] == "BC-SNV"
    assert put.get_json()["settings"]["recipients"] == ["Bộ Nội vụ;", "Lưu: VT."]
    bad = client.put("/api/v1/units/HT/settings", headers=admin, json={"signer_name": "Khác", "cutoff_day": 40,
                                                                       "submission_day": "x"})
    assert bad.status_code == 422
    assert "Ngày chốt số liệu không hợp lệ: '40' (cần số nguyên từ 1 đến 28)." in bad.get_json()["errors"]
    unknown = client.put("/api/v1/units/HT/settings", headers=admin, json={"chu_ky": "x"})
    assert unknown.status_code == 422 and "Trường 'chu_ky' không phải trường được nhận." in unknown.get_json()["errors"]
    assert settings_of(demo_services, "HT")["signer_name"] == "Trần Văn Ký"
    assert client.put("/api/v1/units/HT/settings", headers=editor, json={"signer_name": "X"}).status_code == 403

    assert client.post("/api/v1/units/HT/agencies", headers=admin, json={"name": "Sở Xây dựng"}).status_code == 201
    again = client.post("/api/v1/units/HT/agencies", headers=admin, json={"name": "Sở Xây dựng"})
    assert again.status_code == 400 and "đã có cơ quan 'Sở Xây dựng'" in again.get_json()["error"]
    names = [row["name"] for row in client.get("/api/v1/units/HT/agencies", headers=viewer).get_json()]
    assert "Sở Xây dựng" in names and "Sở Tư pháp" in names

    assert client.get("/api/v1/users", headers=viewer).status_code == 403
    assert client.get("/api/v1/users", headers=editor).status_code == 403
    user = client.post("/api/v1/users", headers=admin, json={"username": "xd.api", "role": "editor", "unit": "HT",
                                                             "agency": "Sở Xây dựng", "password": "xay-dung-2025"})
    assert user.status_code == 201 and user.get_json()["agency"] == "Sở Xây dựng"
    root = client.post("/api/v1/users", headers=admin, json={"username": "root2", "role": "superadmin", "unit": "HT",
                                                             "password": "xay-dung-2025"})
    assert root.status_code == 422 and "Vai trò không hợp lệ: 'superadmin'" in root.get_json()["error"]
    listed = {row["username"]: row for row in client.get("/api/v1/users", headers=admin).get_json()}
    assert listed["xd.api"]["unit"] == "HT" and listed["stp"]["role"] == "editor"
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "patch"} <= set(spec["/api/v1/units/{code}"]) and {"get", "put"} <= set(
        spec["/api/v1/units/{code}/settings"])


def test_an_admin_sees_and_changes_only_its_own_tree(csrf_app: Flask, demo_services: Services) -> None:
    from reportsvc.services import accounts
    from reportsvc.services.agencies import add_agency
    from reportsvc.services.units import add_unit

    with demo_services.transaction() as session:
        add_unit(session, "45", "tỉnh Quảng Trị", "tinh", None, "test")
        add_unit(session, "19300", "phường Đông Hà", "phuong", "45", "test")
        add_agency(session, "45", "Sở Tư pháp", "test")
        accounts.create_user(session, "qt.admin", "admin", "quang-tri-2025", unit_code="45", actor="test")
        accounts.create_user(session, "td.admin", "admin", "thach-dai-2025", unit_code="HT-TH-TD", actor="test")
    client, csrf = admin_client(csrf_app)
    tree = text_of(client.get("/admin/units?all=1"))
    assert "tỉnh Hà Tĩnh" in tree and "Quảng Trị" not in tree and "Đông Hà" not in tree
    assert client.get("/admin/units/45").status_code == 404
    assert client.get("/admin/agencies/45").status_code == 404
    refused = client.post("/admin/units/45/settings", data={"csrf_token": csrf, "signer_name": "Người lạ"})
    assert refused.status_code == 404
    under_other = client.post("/admin/units", data={"csrf_token": csrf, "code": "19301", "name": "xã Lạ",
                                                    "kind": "xa", "parent": "45"})
    assert under_other.status_code == 422 and unit_row(demo_services, "19301") is None
    assert "qt.admin" not in text_of(client.get("/admin/users"))
    stranger = user_row(demo_services, "qt.admin")
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert client.post(f"/admin/users/{stranger.id}/active", data={"csrf_token": csrf, "active": "0"}).status_code \
        == 404
    assert user_row(demo_services, "qt.admin").active

    # The Quảng Trị admin: its own tree only, not Hà Tĩnh's.
    other = csrf_app.test_client()
    login(other, "qt.admin", "quang-tri-2025")
    mine = text_of(other.get("/admin/units"))
    assert "phường Đông Hà" in mine and "Hà Tĩnh" not in mine
    assert "stp" not in text_of(other.get("/admin/users"))
    assert other.get("/admin/units/HT").status_code == 404
    token = {"Authorization": f"Bearer {api_token(demo_services, 'qt.admin')}"}
    assert [row["code"] for row in other.get("/api/v1/units", headers=token).get_json()] == ["45", "19300"]
    assert other.put("/api/v1/units/HT/settings", headers=token, json={"signer_name": "X"}).status_code in (403, 404)
    assert {row["username"] for row in other.get("/api/v1/users", headers=token).get_json()} == {"qt.admin"}
    assert settings_of(demo_services, "HT")["signer_name"] == "Nguyễn Hồng Lĩnh"

    # A commune's admin: its commune only; the province above it is refused.
    commune = csrf_app.test_client()
    csrf = login(commune, "td.admin", "thach-dai-2025")
    assert [row for row in ("xã Thạch Đài", "xã Thạch Long", "huyện Thạch Hà")
            if row in text_of(commune.get("/admin/units"))] == ["xã Thạch Đài"]
    assert commune.get("/admin/units/HT").status_code == 403
    assert commune.post("/admin/agencies/HT/add", data={"csrf_token": csrf, "name": "Sở Lạ"}).status_code == 403
    assert "stp" not in text_of(commune.get("/admin/users"))
