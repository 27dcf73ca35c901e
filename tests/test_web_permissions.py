"""Every route of the web app, walked from app.url_map: who may reach it, who may change data, CSRF.

The app runs with CSRF protection on, on a migrated database holding the demo locality.
"""
from __future__ import annotations

import re

from flask import Flask

from reportsvc.services.runtime import Services
from reportsvc.web.auth import PUBLIC_ENDPOINTS, SELF_SERVICE_ENDPOINTS
from tests.web_fixtures import api_token, csrf_app, login, route_url, routes, samples, task_led_by  # noqa: F401

VIETNAMESE = "ăâđêôơưáàảãạ"


def _is_api(endpoint: str) -> bool:
    return endpoint.startswith("api.")


def test_every_route_needs_a_signed_in_user_or_a_token(csrf_app: Flask, demo_services: Services) -> None:
    values = samples(demo_services)
    client = csrf_app.test_client()
    checked = set()
    for rule, method in routes(csrf_app):
        url = route_url(rule, values)
        response = client.open(url, method=method)
        checked.add(rule.endpoint)
        if rule.endpoint in PUBLIC_ENDPOINTS:
            if method == "GET":
                assert response.status_code == 200, (url, response.status_code)
            continue
        if _is_api(rule.endpoint):
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert any(ch in response.get_json()["error"] for ch in VIETNAMESE)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.location.startswith("/login"), (method, url, response.location)
    assert {"dashboard.index", "tasks.update_status", "api.post_status", "plans.confirm"} <= checked
    # A bad token is no better than none; a session cookie does not authenticate the API.
    assert client.get("/api/v1/units", headers={"Authorization": "Bearer rsv_nope"}).status_code == 401
    login(client, "admin")
    assert client.get("/api/v1/units").status_code == 401


def test_a_viewer_cannot_change_anything(csrf_app: Flask, demo_services: Services) -> None:
    values = samples(demo_services)
    client = csrf_app.test_client()
    csrf = login(client, "xem")
    token = api_token(demo_services, "xem")
    posts = 0
    for rule, method in routes(csrf_app):
        if method in ("GET",) or rule.endpoint in SELF_SERVICE_ENDPOINTS:
            continue
        url = route_url(rule, values)
        if _is_api(rule.endpoint):
            response = client.open(url, method=method, json={}, headers={"Authorization": f"Bearer {token}"})
        else:
            response = client.open(url, method=method, data={"csrf_token": csrf, "enabled": "0", "unit": "HT",
                                                             "period": "2024-Q1", "status": "done"})
        assert response.status_code == 403, (method, url, response.status_code)
        posts += 1
    assert posts >= 10
    # Reading works: every page a viewer may see renders; admin pages are refused.
    for rule, method in routes(csrf_app):
        if method != "GET" or _is_api(rule.endpoint) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.get(route_url(rule, values))
        admin_only = ("plugins_admin", "audit", "plans", "admin_units", "admin_agencies", "admin_users")
        expected = {403} if rule.endpoint.split(".")[0] in admin_only and \
            rule.endpoint not in ("plans.index", "plans.detail") else {200}
        assert response.status_code in expected, (rule.rule, response.status_code)
    assert client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_editor_edits_only_the_tasks_its_agency_leads(csrf_app: Flask, demo_services: Services) -> None:
    client = csrf_app.test_client()
    csrf = login(client, "stp")  # Sở Tư pháp
    other = task_led_by(demo_services, "Sở Nội vụ")
    own = task_led_by(demo_services, "Sở Tư pháp")
    form = {"csrf_token": csrf, "period": "2024-Q4", "status": "in_progress", "result": "Đang làm"}
    page = client.get(f"/tasks/{other}?period=2024-Q4")
    assert page.status_code == 200 and "Lưu tiến độ" not in page.get_data(as_text=True)
    refused = client.post(f"/tasks/{other}/status", data={**form, "version": "1"})
    assert refused.status_code == 403
    assert "không chủ trì nhiệm vụ này" in refused.get_data(as_text=True)
    own_page = client.get(f"/tasks/{own}?period=2024-Q4").get_data(as_text=True)
    assert "Lưu tiến độ" in own_page
    version = re.search(r'name="version" value="(\d+)"', own_page).group(1)
    assert client.post(f"/tasks/{own}/status", data={**form, "version": version}).status_code == 302
    # Indicators of another area, and the admin-only pages, are refused too.
    ind = client.post("/indicators", data={"csrf_token": csrf, "unit": "HT", "period": "2024-Q4",
                                           "value-CQS_CSDL_LIEN_THONG": "80", "orig-CQS_CSDL_LIEN_THONG": "72",
                                           "version-CQS_CSDL_LIEN_THONG": "1"})
    assert ind.status_code == 403
    for url in ("/plans/upload", "/admin/plugins", "/admin/audit"):
        assert client.get(url).status_code == 403, url
    assert client.post("/reports/draft", data={"csrf_token": csrf, "unit": "HT", "period": "2024-Q1"}).status_code == 403
    # The API applies the same rule to the same editor.
    token = api_token(demo_services, "stp")
    api = client.post(f"/api/v1/tasks/{other}/status", headers={"Authorization": f"Bearer {token}"},
                      json={"period": "2024-Q4", "version": 1, "status": "in_progress"})
    assert api.status_code == 403 and "không chủ trì" in api.get_json()["error"]


def test_a_form_post_without_its_csrf_token_is_refused(csrf_app: Flask, demo_services: Services) -> None:
    values = samples(demo_services)
    client = csrf_app.test_client()
    assert client.post("/login", data={"username": "admin", "password": "admin-demo-2024"}).status_code == 400
    login(client, "admin")
    refused = 0
    for rule, method in routes(csrf_app):
        if method != "POST" or _is_api(rule.endpoint):
            continue
        response = client.post(route_url(rule, values), data={"unit": "HT", "period": "2024-Q1", "enabled": "0"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "CSRF" in response.get_data(as_text=True)
        refused += 1
    assert refused >= 8
    # Nothing changed: the plugin that would have been disabled is still enabled.
    assert "the_che" not in demo_services.blocked_plugins()
