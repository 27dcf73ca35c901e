"""One error hierarchy: each error a user may see carries its HTTP status and CLI exit code, mapped once each."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from reportsvc.cli.main import main
from reportsvc.config import ConfigError
from reportsvc.db.engine import DatabaseError
from reportsvc.errors import Conflict, Forbidden, Invalid, NotFound, SetupError, UserError
from reportsvc.hooks.registry import HookFailure, PluginError
from reportsvc.importing import PlanImportError
from reportsvc.periods import PeriodError
from reportsvc.render import RenderError
from reportsvc.services.accounts import AccountError
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS, api_token

ROOT = Path(__file__).resolve().parents[1]

# (error, HTTP status, CLI exit code): the contract the web and the command line rely on.
CONTRACT = [
    (UserError("Yêu cầu không hợp lệ."), 400, 2),
    (NotFound("Không tìm thấy đơn vị 'X'"), 404, 2),
    (Forbidden("Tài khoản chỉ có quyền xem, không được thay đổi dữ liệu."), 403, 2),
    (Invalid(["Ngày hoàn thành không hợp lệ.", "Thiếu trạng thái."]), 422, 2),
    (Conflict("Tiến độ vừa được người khác cập nhật.", {"status": "done"}), 409, 2),
    (RenderError("Không tìm thấy mẫu báo cáo DOCX: report.docx."), 500, 2),
    (ConfigError("REPORTSVC_CUTOFF_DAY phải là một ngày từ 1 đến 28, nhận được '31'."), 500, 2),
    (PeriodError("Kỳ báo cáo không hợp lệ: '2024-Q5'."), 400, 2),
    (PlanImportError("Tệp rỗng."), 400, 2),
    (PluginError("Plugin 'x' lỗi khi nạp."), 400, 2),
    (HookFailure("Plugin 'x' lỗi trong reportsvc_collect_section.", "x"), 400, 2),
    (AccountError("Không tìm thấy cơ quan 'Sở Không Có'."), 400, 2),
    (DatabaseError("Không kết nối được cơ sở dữ liệu."), 503, 2),
]


@pytest.mark.parametrize(("error", "status", "exit_code"), CONTRACT, ids=lambda v: type(v).__name__)
def test_every_user_facing_error_carries_its_status_and_exit_code(error: UserError, status: int,
                                                                  exit_code: int) -> None:
    assert isinstance(error, UserError)
    assert (error.http_status, error.exit_code) == (status, exit_code)


def test_render_and_configuration_errors_are_setup_errors() -> None:
    assert issubclass(RenderError, SetupError) and issubclass(ConfigError, SetupError)


def test_the_base_module_imports_nothing_from_reportsvc() -> None:
    tree = ast.parse((ROOT / "reportsvc" / "errors.py").read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name.startswith("reportsvc")] == []


# ---------------------------------------------------------------- the web's mapping (reportsvc.web.errors)

def _raising_client(services: Services, error: UserError) -> FlaskClient:
    """Return a client signed in to the web app, which has two extra routes raising ``error``: a page and an
    /api/ address."""
    from reportsvc.web.app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, services=services)

    def boom() -> str:
        raise error

    app.add_url_rule("/thu-loi", "thu_loi", boom)
    app.add_url_rule("/api/thu-loi", "api_thu_loi", boom)
    client = app.test_client()
    assert client.post("/login", data={"username": "xem", "password": PASSWORDS["xem"]}).status_code == 302
    return client


@pytest.mark.parametrize(("error", "status", "exit_code"), CONTRACT[:6], ids=lambda v: type(v).__name__)
def test_web_answers_each_error_with_its_status_and_message(demo_services: Services, error: UserError,
                                                            status: int, exit_code: int) -> None:
    client = _raising_client(demo_services, error)
    page = client.get("/thu-loi")
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert f"Lỗi {status}" in html and error.title in html and str(error).replace("'", "&#39;") in html
    answer = client.get("/api/thu-loi")
    assert answer.status_code == status
    assert answer.get_json()["error"] == str(error)


def test_web_json_carries_the_reasons_and_the_stored_value(demo_services: Services) -> None:
    invalid = _raising_client(demo_services, Invalid(["Thiếu trạng thái.", "Ngày không hợp lệ."]))
    assert invalid.get("/api/thu-loi").get_json() == {
        "error": "Thiếu trạng thái. Ngày không hợp lệ.", "errors": ["Thiếu trạng thái.", "Ngày không hợp lệ."]}
    conflict = _raising_client(demo_services, Conflict("Đã có người sửa.", {"completed_on": date(2024, 3, 1)}))
    assert conflict.get("/api/thu-loi").get_json() == {"error": "Đã có người sửa.",
                                                       "current": {"completed_on": "2024-03-01"}}


# ---------------------------------------------------------------- a missing or broken template

@pytest.fixture
def no_docx_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the DOCX renderer at a template that does not exist."""
    import reportsvc.render.docx as docx_renderer

    missing = tmp_path / "khong-co" / "report.docx"
    monkeypatch.setattr(docx_renderer, "TEMPLATE", missing)
    return missing


def test_missing_template_through_the_cli_is_one_vietnamese_line(runner: CliRunner, demo_services: Services,
                                                                  no_docx_template: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "docx",
                                  "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr == "Lỗi: Không tìm thấy mẫu báo cáo DOCX: report.docx.\n"
    assert result.stdout == ""


@pytest.fixture
def broken_html_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the PDF renderer at an HTML template with a Jinja syntax error (its environment is cached)."""
    import reportsvc.render.pdf as pdf_renderer

    broken = tmp_path / "mau"
    broken.mkdir()
    (broken / "report.html").write_text("<p>{{ view.subject </p>\n{% endfor %}\n", encoding="utf-8")
    monkeypatch.setattr(pdf_renderer, "TEMPLATE_DIR", broken)
    pdf_renderer._environment.cache_clear()
    yield broken
    pdf_renderer._environment.cache_clear()


def test_broken_template_through_the_cli_is_one_vietnamese_line(runner: CliRunner, demo_services: Services,
                                                                 broken_html_template: Path, tmp_path: Path) -> None:
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "pdf",
                                  "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Lỗi: Không tạo được nội dung HTML của báo cáo: TemplateSyntaxError")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_render_error_through_the_web_is_a_vietnamese_page(demo_services: Services) -> None:
    client = _raising_client(demo_services, RenderError("Không tìm thấy mẫu báo cáo DOCX: report.docx."))
    page = client.get("/thu-loi")
    assert page.status_code == 500
    html = page.get_data(as_text=True)
    assert "Không tạo được báo cáo" in html and "Không tìm thấy mẫu báo cáo DOCX: report.docx." in html


def test_missing_template_through_the_api_is_json(demo_services: Services, no_docx_template: Path) -> None:
    from reportsvc.web.app import create_app

    client = create_app({"TESTING": True}, services=demo_services).test_client()
    headers = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    answer = client.post("/api/v1/reports", headers=headers,
                         json={"unit": "HT", "period": "2024-Q1", "formats": ["docx"]})
    assert answer.status_code == 500
    assert answer.get_json()["error"] == "Không tìm thấy mẫu báo cáo DOCX: report.docx."


def test_a_multipart_part_without_a_name_is_refused_not_a_server_error(client: FlaskClient,
                                                                       demo_services: Services) -> None:
    body = (b"--XYZ\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--XYZ--\r\n")
    headers = {"Content-Type": "multipart/form-data; boundary=XYZ",
               "Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    for url in ("/login", "/api/v1/tasks/1/evidence?period=2024-Q1"):
        response = client.post(url, data=body, headers=headers)
        assert response.status_code == 400, (url, response.status_code)
        text = response.get_json()["error"] if response.is_json else response.get_data(as_text=True)
        assert "Dữ liệu gửi lên có một phần không có tên trong biểu mẫu" in text
