"""Hardening headers on every response, cookies marked Secure on request, the proxy setting, and a
Content-Security-Policy that Chromium enforces on pages that need no inline script or style."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from reportsvc.config import ConfigError, load_settings
from reportsvc.services.runtime import Services, create_services
from reportsvc.web.app import create_app
from tests.web_fixtures import PASSWORDS, live_server  # noqa: F401 - fixture

TEMPLATES = Path(__file__).resolve().parents[1] / "reportsvc" / "web" / "templates"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.fixture
def app_with(demo_services: Services) -> Iterator[Callable[..., Flask]]:
    """Yield a factory of web apps on the demo database with some settings overridden (CSRF off for plain
    posts); each app's own engine is disposed when the test ends."""
    made: list[Services] = []

    def make(**overrides: object) -> Flask:
        services = create_services(load_settings(overrides))
        made.append(services)
        return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, services=services)

    yield make
    for services in made:
        services.engine.dispose()


@pytest.mark.parametrize(("path", "status"), [
    ("/login", 200), ("/", 302), ("/khong-co-trang-nay", 404), ("/api/v1/units", 401),
    ("/api/v1/openapi.json", 200), ("/static/style.css", 200), ("/healthz", 200),
])
def test_every_kind_of_response_carries_the_headers(client, path: str, status: int) -> None:  # noqa: ANN001
    response = client.get(path)
    response.close()  # a static file is streamed from disk
    assert response.status_code == status
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'" and directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_no_template_holds_an_inline_script_or_style() -> None:
    found = [f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if INLINE.search(line)]
    assert found == []


def test_pages_with_bars_and_trees_render_without_style_attributes(client) -> None:  # noqa: ANN001
    assert client.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]}).status_code == 302
    for path in ("/", "/admin/units", "/admin/agencies", "/reports/archive", "/plans"):
        page = client.get(path).get_data(as_text=True)
        assert not INLINE.search(page), (path, INLINE.search(page))
    dashboard = client.get("/").get_data(as_text=True)
    assert re.search(r'class="seg seg-[a-z_]+ w-\d{1,3}"', dashboard)
    assert re.search(r'class="tree-indent depth-2"', client.get("/admin/units").get_data(as_text=True))


def test_cookies_are_secure_only_when_asked(app_with: Callable[..., Flask]) -> None:
    """Every cookie the service sets (the session, which holds the CSRF token, and any other) follows the setting."""
    credentials = {"username": "admin", "password": PASSWORDS["admin"]}
    plain = app_with().test_client().post("/login", data=credentials).headers.getlist("Set-Cookie")
    assert any(cookie.startswith("session=") for cookie in plain)
    assert not any("Secure" in cookie for cookie in plain)
    secure = app_with(secure_cookies=True).test_client().post("/login", data=credentials)
    cookies = secure.headers.getlist("Set-Cookie")
    assert any(cookie.startswith("session=") for cookie in cookies)
    assert all("; Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie for cookie in cookies)


def test_forwarded_headers_count_only_behind_a_proxy(app_with: Callable[..., Flask]) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cchc.hatinh.gov.vn",
                 "X-Forwarded-Prefix": "/cchc", "X-Forwarded-For": "203.0.113.9"}
    direct = app_with().test_client().get("/", headers=forwarded)
    assert direct.location.startswith("/login")  # forged headers are ignored without REPORTSVC_PROXY_HOPS
    behind = app_with(proxy_hops=1).test_client().get("/", headers=forwarded)
    assert behind.location.startswith("/cchc/login")


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("REPORTSVC_SECURE_COOKIES", "thỉnh thoảng",
     "Biến môi trường REPORTSVC_SECURE_COOKIES không hợp lệ: 'thỉnh thoảng'."),
    ("REPORTSVC_PROXY_HOPS", "9",
     "REPORTSVC_PROXY_HOPS phải là số máy chủ proxy đứng trước dịch vụ, từ 0 đến 5, nhận được '9'."),
    ("REPORTSVC_PROXY_HOPS", "một", "Biến môi trường REPORTSVC_PROXY_HOPS không hợp lệ: 'một'."),
])
def test_unusable_values_are_refused(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={variable: value})
    assert str(caught.value) == message


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("có", True), ("on", True), ("0", False),
                                                 ("không", False), ("", False)])
def test_secure_cookies_reads_yes_and_no(value: str, expected: bool) -> None:
    assert load_settings(environ={"REPORTSVC_SECURE_COOKIES": value}).secure_cookies is expected


@pytest.mark.browser
def test_chromium_enforces_the_policy_and_the_pages_need_nothing_inline(live_server: str,  # noqa: F811
                                                                        chromium: Path) -> None:
    """The pages load without a single CSP violation, their bars and tree keep their layout from the
    stylesheet alone, and markup that does carry inline style or script is blocked: the policy is live."""
    from tests.test_browser import chromium_context, sign_in

    with chromium_context(chromium) as context:
        # Runs before any page script (through DevTools, so the policy does not apply to it): records violations.
        context.add_init_script("window.__violations = [];"
                                "document.addEventListener('securitypolicyviolation',"
                                " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, live_server)
        page.wait_for_selector(".stack .seg")
        assert page.evaluate("window.__violations") == []
        # Each bar's segments fill it exactly, from the w-N classes and the last segment's flex-grow.
        widths = page.evaluate("""[...document.querySelectorAll('.stack')].map(bar => [
            bar.getBoundingClientRect().width,
            [...bar.querySelectorAll('.seg')].reduce((sum, seg) => sum + seg.getBoundingClientRect().width, 0)])""")
        assert widths and all(abs(bar - segments) < 1.5 for bar, segments in widths), widths

        page.goto(f"{live_server}/admin/units")
        assert page.evaluate("window.__violations") == []
        indent = page.evaluate("getComputedStyle(document.querySelector('.tree-indent.depth-1')).paddingLeft")
        root_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert indent == f"{1.2 * root_size:g}px"

        # Markup with inline style and an inline handler, as an injection would bring: both are refused.
        page.evaluate("""document.body.insertAdjacentHTML('beforeend',
            '<div id="tiem" style="width: 123px; position: absolute">x</div>' +
            '<img id="anh" src="data:," onerror="document.title = \\'da-chay\\'">')""")
        page.wait_for_function("window.__violations.length >= 2")
        assert page.evaluate("document.getElementById('tiem').getBoundingClientRect().width") != 123
        assert page.title() != "da-chay"
        directives = " ".join(page.evaluate("window.__violations"))
        assert "style-src" in directives and "script-src" in directives


def test_a_commune_reports_to_its_province_by_default(demo_services) -> None:  # noqa: ANN001
    from reportsvc.db.lookup import find_unit
    from reportsvc.db.unitsettings import settings_of

    with demo_services.sessions() as session:
        assert settings_of(find_unit(session, "HT-TH-TD")).recipients == ["UBND huyện Thạch Hà (b/c);", "Lưu: VT."]
        province = find_unit(session, "HT")  # its own list (set by the demo) is kept
        assert settings_of(province).recipients == province.settings["recipients"]
