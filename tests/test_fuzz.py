"""No server error on any input: the JSON API fuzzed from its own OpenAPI document (schemathesis) as each
role, and the web pages and forms fuzzed with hostile values (hypothesis), plus a regression test for each
500 found this way.

The fuzz runs are part of the suite and bounded: a few examples per operation or page, derandomized so a
CI run is reproducible, no example database. A request the app fails on raises (the app runs with
TESTING, so an unexpected error propagates) and is reported with its operation and the shrunk input.
On PostgreSQL (REPORTSVC_TEST_PG_URL) the same tests run against it, where NUL bytes, out-of-range
integers and over-long texts used to fail inside the database.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Callable
from urllib.parse import quote_from_bytes

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlalchemy import select

from reportsvc.db.models import User
from reportsvc.services.runtime import Services
from tests.web_fixtures import PASSWORDS, api_token, samples, task_led_by

ROLES = ("admin", "stp", "xem")  # the demo's admin, an editor (Sở Tư pháp) and the viewer
API_EXAMPLES = 8  # per operation, generation mode and kind of path parameters
WEB_EXAMPLES = 10  # generated bodies per form, query strings per page
FUZZ = settings(max_examples=API_EXAMPLES, derandomize=True, database=None, deadline=timedelta(seconds=10),
                phases=(Phase.explicit, Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck),
                print_blob=False)
MAX_DEPTH_SENT = 5000  # deeper than Python's JSON decoder can recurse

# ---------------------------------------------------------------- hostile values

HUGE_INTS = [2**31, 2**63, 2**64 + 1, 10**26, -(2**63) - 1, 99999999999]
HOSTILE_NUMBERS: list[Any] = [*HUGE_INTS, 1e308, -1e308, 1e24, 5e-324, float("inf"), float("-inf"), float("nan"),
                              0, -1, True]
HOSTILE_TEXTS = ["", " ", "a\x00b", "\x00", "x" * 70, "x" * 300, "é" * 6000, "9" * 40, "9" * 5000, "1e308",
                 "1e24", "inf", "nan", "-0", "²", "١٢", "１２", "0x10", "\u202e", "\ud800", "'; DROP TABLE users;--",
                 "{{7*7}}", "%s%n", "2024-Q1", "2024-Q99", "99999-Q1", "31/02/2024", "2024-12-05", "HT", "HT-TH-TD"]


def _nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


JSON_FRAGMENTS = ["18446744073709551617", "-9223372036854775809", "99999999999", "100000000000000000000000000",
                  "1e24", "1e308", "-1e308", "Infinity", "NaN", "5e-324", "true", "null", '"a\\u0000b"', '"\\ud800"',
                  '"' + "x" * 300 + '"', '"' + "é" * 6000 + '"', '["x"]', '{"a": ["b"]}', '""',
                  "[" * 40 + "]" * 40, "[" * MAX_DEPTH_SENT + "]" * MAX_DEPTH_SENT]
"""JSON texts put in place of one field of a valid body: each once for every field of every write."""


def hostile_json() -> st.SearchStrategy[Any]:
    """Return JSON values of every wrong kind: huge and non-finite numbers, NUL and long texts, lists, nesting."""
    scalars = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(HOSTILE_TEXTS), st.none(), st.booleans(),
                        st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
    return st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2),
                     st.sampled_from([_nested(40), _nested(200)]))


def hostile_text() -> st.SearchStrategy[str | bytes]:
    """Return form or query values: hostile texts, numbers as typed, and raw bytes that are not UTF-8."""
    return st.one_of(st.sampled_from(HOSTILE_TEXTS), st.sampled_from([str(n) for n in HOSTILE_NUMBERS]),
                     st.text(max_size=40), st.binary(max_size=12),
                     st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"a\xed\xa0\x80b", b"\xf4\x90\x80\x80"]))


def encode_pairs(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """Return ``pairs`` url-encoded byte for byte (raw bytes stay invalid UTF-8 once decoded)."""
    def part(value: str | bytes) -> str:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return quote_from_bytes(raw, safe="")
    return "&".join(f"{part(name)}={part(value)}" for name, value in pairs).encode("ascii")


# ---------------------------------------------------------------- the API from its OpenAPI document

def _known_path_values(services: Services) -> dict[str, Any]:
    values = samples(services)
    return {"task_id": values["task_id"], "plan_id": values["plan_id"], "report_id": values["report_id"],
            "file_id": values["file_id"], "submission_id": values["submission_id"], "code": "HT", "fmt": "docx"}


def _run(test: Callable[[], None], label: str, failures: list[str]) -> None:
    try:
        test()
    except Unsatisfiable:  # e.g. no invalid request of an operation whose only input is a fixed path value
        pass
    except Exception as exc:  # noqa: BLE001 - every failure is collected, then reported together
        failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:800]}")


@pytest.mark.parametrize("username", ROLES)
def test_api_answers_no_server_error_to_generated_requests(app: Flask, demo_services: Services,
                                                           username: str) -> None:
    """Every operation of /api/v1/openapi.json, valid and invalid data, generated and known path values."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {api_token(demo_services, username)}"}
    known = _known_path_values(demo_services)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        variants: list[dict[str, Any] | None] = [None] + ([{n: known[n] for n in names}] if names else [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_values in variants:
                strategy = operation.as_strategy(generation_mode=mode, headers=headers, path_parameters=path_values)

                @FUZZ
                @given(case=strategy)
                def call(case: schemathesis.Case) -> None:
                    response = case.call()
                    assert response.status_code < 500, (case.method, case.formatted_path, case.body,
                                                        response.text[:300])

                _run(call, f"{operation.label} [{mode.value}, path {'known' if path_values else 'generated'}]",
                     failures)
    assert not failures, "\n".join(failures)


def _api_bodies(demo_services: Services) -> list[tuple[str, str, dict[str, Any]]]:
    """Return (method, path, a valid body) of every API write, to be spoilt one field at a time."""
    task_id = task_led_by(demo_services, "Sở Nội vụ")
    return [
        ("POST", f"/api/v1/tasks/{task_id}/status", {"period": "2024-Q3", "version": 0, "status": "in_progress",
                                                     "result": "Đang làm", "evidence_number": "12/KH-UBND",
                                                     "evidence_date": "2024-09-01", "evidence_title": "Kế hoạch",
                                                     "completed_on": None}),
        ("POST", "/api/v1/indicator-values", {"unit": "HT", "period": "2024-Q3", "code": "CD_KE_HOACH", "value": 50,
                                              "note": "", "version": 0}),
        ("POST", "/api/v1/units", {"code": "99001", "name": "Xã Thử", "kind": "xa", "parent": "HT"}),
        ("PATCH", "/api/v1/units/HT-TH-TD", {"name": "Xã Thạch Đài", "kind": "xa", "parent": "HT"}),
        ("PUT", "/api/v1/units/HT/settings", {"place": "Hà Tĩnh", "cutoff_day": 14, "recipients": ["Bộ Nội vụ"],
                                              "reports": ["Q1", "Y"], "doc_symbol": "BC-UBND"}),
        ("POST", "/api/v1/units/HT/agencies", {"name": "Sở Thử nghiệm"}),
        ("POST", "/api/v1/users", {"username": "thu.nghiem", "role": "viewer", "password": "mat-khau-dai-2024",
                                   "unit": "HT", "agency": None, "full_name": "Người Thử"}),
        ("POST", "/api/v1/reports", {"unit": "HT", "period": "2024-Q3", "formats": ["docx"], "number": 5,
                                     "date": "2024-09-15", "skip_broken": True}),
    ]


def _send_json(client: FlaskClient, method: str, path: str, headers: dict[str, str], data: str) -> None:
    response = client.open(path, method=method, data=data, headers=headers, content_type="application/json")
    assert response.status_code < 500, (method, path, data[:300], response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("username", ("admin", "stp"))
def test_api_answers_no_server_error_to_hostile_fields(app: Flask, demo_services: Services, username: str) -> None:
    """Each write's valid body with one field replaced by every hostile JSON value in turn, then by generated ones."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {api_token(demo_services, username)}"}
    failures: list[str] = []
    for method, path, body in _api_bodies(demo_services):
        if path == "/api/v1/reports":  # a valid body would render a report per request: its unit is always unknown
            body = {**body, "unit": "KHONG-CO"}
        for name in [*body, "extra"]:
            template = json.dumps({**body, name: "@@"}, ensure_ascii=False)
            for fragment in JSON_FRAGMENTS:
                _run(lambda: _send_json(client, method, path, headers, template.replace('"@@"', fragment)),
                     f"{method} {path} {name}={fragment[:40]}", failures)

        @FUZZ
        @given(name=st.sampled_from(sorted(body)), value=hostile_json())
        def call(name: str, value: Any) -> None:
            _send_json(client, method, path, headers, json.dumps({**body, name: value}, allow_nan=True))

        _run(call, f"{method} {path}", failures)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- the web pages and forms

def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORDS[username]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _web_forms(demo_services: Services) -> list[tuple[str, dict[str, list[str]]]]:
    """Return every page form: its path and, per field, values a real page would send."""
    values = samples(demo_services)
    with demo_services.sessions() as session:
        stp = session.scalar(select(User.id).where(User.username == "stp"))
    task = values["task_id"]
    return [
        (f"/tasks/{task}/status", {"period": ["2024-Q3"], "version": ["0"], "status": ["in_progress", "done"],
                                   "completed_on": ["05/09/2024", ""], "result": ["Đã làm"],
                                   "evidence_number": ["12/KH-UBND"], "evidence_date": ["01/09/2024"],
                                   "evidence_title": ["Kế hoạch"]}),
        ("/indicators", {"unit": ["HT"], "period": ["2024-Q3"], "value-CD_KE_HOACH": ["94,5", "1.234,5"],
                         "note-CD_KE_HOACH": ["ghi chú"], "orig-CD_KE_HOACH": [""], "orig-note-CD_KE_HOACH": [""],
                         "version-CD_KE_HOACH": ["0"]}),
        ("/reports/draft", {"unit": ["HT"], "period": ["2024-Q3"], "action": ["save", "generate"],
                            "formats": ["docx"], "report_date": ["15/09/2024"], "number": ["5"],
                            "text-tong_quan": ["Nội dung"], "orig-tong_quan": [""], "reset-tong_quan": ["1"]}),
        ("/admin/units", {"code": ["99002"], "name": ["Xã Thử"], "kind": ["xa"], "parent": ["HT"]}),
        ("/admin/units/HT-TH-TD/rename", {"name": ["Xã Thạch Đài"], "kind": ["xa", "phuong"]}),
        ("/admin/units/HT-TH-TD/move", {"parent": ["HT", "HT-TH"]}),
        ("/admin/units/HT/settings", {"place": ["Hà Tĩnh"], "doc_symbol": ["BC-UBND"], "cutoff_day": ["14"],
                                      "submission_day": ["20"], "recipients": ["Bộ Nội vụ"],
                                      "reports": ["Q1", "Y"], "signer_name": ["Võ Trọng Hải"]}),
        ("/admin/agencies/HT/add", {"name": ["Sở Thử"]}),
        ("/admin/agencies/HT/rename", {"agency": ["Sở Tư pháp"], "new_name": ["Sở Tư pháp tỉnh"]}),
        ("/admin/agencies/HT/alias", {"agency": ["Sở Tư pháp"], "alias": ["STP"]}),
        ("/admin/agencies/HT/merge", {"olds": ["Sở Tư pháp"], "into": ["Sở Nội vụ"]}),
        ("/admin/users", {"username": ["thu.nghiem"], "full_name": ["Người Thử"], "role": ["viewer", "editor"],
                          "unit": ["HT"], "agency": ["Sở Tư pháp", ""], "password": ["mat-khau-dai-2024"]}),
        (f"/admin/users/{stp}/unit", {"unit": ["HT", "HT-TH-TD"], "agency": ["Sở Tư pháp"]}),
        (f"/admin/users/{stp}/active", {"active": ["0", "1"], "back": ["list"]}),
        (f"/admin/users/{stp}/password", {"password": ["mat-khau-moi-2024"]}),
        ("/admin/plugins/the_che", {"enabled": ["0", "1"]}),
        ("/profile/token", {"name": ["mã thử"], "days": ["30", "365"]}),
        ("/profile/tokens/1/revoke", {"back": ["list"]}),
        ("/profile/password", {"current": ["sai-mat-khau"], "password": ["mat-khau-moi-2024-dai"],
                               "confirm": ["mat-khau-moi-2024-dai"]}),
    ]


def _form_body(fields: dict[str, list[str]]) -> st.SearchStrategy[bytes]:
    """Return url-encoded bodies: each field a real value, a hostile one, repeated or left out."""
    field_values = {name: st.lists(st.one_of(st.sampled_from(good), hostile_text()), max_size=2)
                    for name, good in fields.items()}

    def encode(chosen: dict[str, list[str | bytes]]) -> bytes:
        return encode_pairs([(name, value) for name, values in chosen.items() for value in values])

    return st.fixed_dictionaries(field_values).map(encode)


FORM_VALUES: list[str | bytes] = ["a\x00b", "é" * 6000, "9" * 40, "9" * 5000, "-1", "²", "1e308", b"\xff\xfe"]
"""Values put in place of one field of a form as a page sends it: each once for every field of every form."""


def _post_form(client: FlaskClient, path: str, body: bytes) -> None:
    response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (path, body[:300], response.get_data(as_text=True)[:300])


def _fuzz_forms(client: FlaskClient, forms: list[tuple[str, dict[str, list[str]]]], examples: int) -> list[str]:
    """Post each form with one field replaced by every value of FORM_VALUES, then generated bodies; return failures."""
    failures: list[str] = []
    for path, fields in forms:
        valid = {name: good[0] for name, good in fields.items()}
        for name in [*fields, "extra"]:
            for value in FORM_VALUES:
                body = encode_pairs(list({**valid, name: value}.items()))
                _run(lambda: _post_form(client, path, body), f"POST {path} {name}={value[:20]!r}", failures)

        @settings(FUZZ, max_examples=examples)
        @given(body=_form_body(fields))
        def post(body: bytes) -> None:
            _post_form(client, path, body)

        _run(post, f"POST {path}", failures)
    return failures


def test_web_forms_answer_no_server_error(app: Flask, demo_services: Services) -> None:
    """Every form of the pages, signed in as the admin, with hostile and malformed values (raw bytes too)."""
    failures = _fuzz_forms(_signed_in(app, "admin"), _web_forms(demo_services), WEB_EXAMPLES)
    assert not failures, "\n".join(failures)


def test_editor_forms_answer_no_server_error(app: Flask, demo_services: Services) -> None:
    """The editor's forms (its task's status, its indicators) with hostile values."""
    task = task_led_by(demo_services, "Sở Tư pháp")
    forms = [(f"/tasks/{task}/status", {"period": ["2024-Q2"], "version": ["0", "1"], "status": ["done"],
                                        "completed_on": ["05/06/2024"], "result": ["x"]}),
             ("/indicators", {"unit": ["HT"], "period": ["2024-Q2"], "value-TTHC_DVC_TRUC_TUYEN": ["12"],
                              "version-TTHC_DVC_TRUC_TUYEN": ["0"]})]
    failures = _fuzz_forms(_signed_in(app, "stp"), forms, WEB_EXAMPLES)
    assert not failures, "\n".join(failures)


def test_login_form_answers_no_server_error(app: Flask) -> None:
    """The sign-in form with hostile user names and passwords (NUL bytes, raw bytes, long texts)."""
    client = app.test_client()

    failures = _fuzz_forms(client, [("/login", {"username": ["khong-co", "admin"], "password": ["sai-mat-khau"],
                                                "next": ["/tasks"]})], WEB_EXAMPLES)
    assert not failures, "\n".join(failures)


PAGES = ["/", "/tasks", "/tasks/{task_id}", "/indicators", "/reports", "/reports/archive", "/reports/{report_id}",
         "/reports/{report_id}/files/{fmt}", "/plans", "/plans/{plan_id}", "/plans/upload", "/admin/units",
         "/admin/units/{code}", "/admin/agencies", "/admin/agencies/{code}", "/admin/users",
         "/admin/users/{user_id}", "/admin/audit", "/admin/plugins", "/profile"]
QUERY_NAMES = ["unit", "period", "plan", "area", "agency", "status", "q", "all", "page", "year", "next", "action",
               "entity", "actor"]


def _get(client: FlaskClient, path: str, query: str = "", headers: dict[str, str] | None = None,
         method: str = "GET") -> None:
    response = client.open(path, method=method, query_string=query, headers=headers or {})
    assert response.status_code < 500, (method, path, query[:300], response.get_data(as_text=True)[:300])


def test_pages_answer_no_server_error_to_hostile_query_strings(app: Flask, demo_services: Services) -> None:
    """Every page the admin can open, with every query parameter set to each hostile value, then generated ones."""
    client = _signed_in(app, "admin")
    values = samples(demo_services)
    query = st.lists(st.tuples(st.sampled_from(QUERY_NAMES), hostile_text()), min_size=1, max_size=4)
    failures: list[str] = []
    for page in PAGES:
        path = page.format(**values)
        for value in FORM_VALUES:
            text = encode_pairs([(name, value) for name in QUERY_NAMES]).decode("ascii")
            _run(lambda: _get(client, path, text), f"GET {path} ?…={value[:20]!r}", failures)

        @settings(FUZZ, max_examples=WEB_EXAMPLES)
        @given(pairs=query)
        def get(pairs: list[tuple[str, str | bytes]]) -> None:
            _get(client, path, encode_pairs(pairs).decode("ascii"))

        _run(get, f"GET {path}", failures)
    assert not failures, "\n".join(failures)


PATH_TEMPLATES = ["/tasks/{}", "/tasks/{}/status", "/plans/{}", "/reports/{}", "/reports/1/files/{}",
                  "/admin/units/{}", "/admin/agencies/{}", "/admin/users/{}", "/plans/upload/{}",
                  "/api/v1/tasks/{}", "/api/v1/plans/{}", "/api/v1/reports/{}", "/api/v1/units/{}",
                  "/api/v1/units/{}/settings", "/api/v1/units/{}/agencies", "/api/v1/reports/1/files/{}",
                  "/profile/tokens/{}/revoke", "/admin/users/{}/password", "/admin/units/{}/rename"]
SEGMENTS: list[str | bytes] = [*(str(n) for n in HUGE_INTS if n > 0), "0", "a\x00b", "x" * 300, "²", b"\xff\xfe",
                               "..", "%00"]


def test_paths_answer_no_server_error_to_hostile_segments(app: Flask, demo_services: Services) -> None:
    """Ids past 32 and 64 bits, NUL bytes and raw bytes in the path of every kind of route (pages and API), read
    and written."""
    client = _signed_in(app, "admin")
    headers = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}

    def path_of(template: str, value: str | bytes) -> str:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return template.format(quote_from_bytes(raw, safe=""))

    failures: list[str] = []
    for template in PATH_TEMPLATES:
        for value in SEGMENTS:
            for method in ("GET", "POST"):
                _run(lambda: _get(client, path_of(template, value), headers=headers, method=method),
                     f"{method} {path_of(template, value)}", failures)
    segment = st.one_of(st.sampled_from(SEGMENTS), st.binary(min_size=1, max_size=8), st.text(min_size=1, max_size=20),
                        st.integers(min_value=0).map(str))

    @settings(FUZZ, max_examples=WEB_EXAMPLES * 4)
    @given(template=st.sampled_from(PATH_TEMPLATES), value=segment)
    def get(template: str, value: str | bytes) -> None:
        _get(client, path_of(template, value), headers=headers)

    _run(get, "GET /…/{segment}", failures)
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------- regressions: each server error found, fixed

def _admin_api(app: Flask, services: Services) -> tuple[FlaskClient, dict[str, str]]:
    return app.test_client(), {"Authorization": f"Bearer {api_token(services, 'admin')}"}


def _error_of(response: Any, status: int) -> str:
    body = response.get_json()
    assert response.status_code == status, (response.status_code, body)
    return body["error"]


@pytest.mark.parametrize("number", ["99999999999", "2147483648", "18446744073709551617"])
def test_an_id_past_a_database_integer_is_not_found(app: Flask, demo_services: Services, number: str) -> None:
    client, headers = _admin_api(app, demo_services)
    for path in (f"/api/v1/tasks/{number}", f"/api/v1/plans/{number}", f"/api/v1/reports/{number}",
                 f"/api/v1/reports/{number}/files/pdf", f"/api/v1/tasks/{number}/status"):
        response = client.post(path, json={}, headers=headers) if path.endswith("status") else \
            client.get(path, headers=headers)
        assert "Không tìm thấy" in _error_of(response, 404), path
    web = _signed_in(app, "admin")
    for path in (f"/tasks/{number}", f"/plans/{number}", f"/reports/{number}", f"/admin/users/{number}"):
        response = web.get(path)
        assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True), path


def test_integers_past_a_database_integer_in_queries_and_forms_are_refused(app: Flask,
                                                                           demo_services: Services) -> None:
    client, headers = _admin_api(app, demo_services)
    for query in ("plan=99999999999", "unit=HT&year=99999999999", "plan=-99999999999"):
        response = client.get(f"/api/v1/tasks?{query}", headers=headers)
        assert "nằm ngoài giới hạn" in _error_of(response, 422), query
    body = {"unit": "HT", "period": "2024-Q3", "number": 10**20}
    assert "nhỏ hơn 100000" in _error_of(client.post("/api/v1/reports", json=body, headers=headers), 422)
    web = _signed_in(app, "admin")
    assert web.get("/tasks", query_string={"area": "99999999999", "agency": "1" * 30}).status_code == 200
    assert web.get("/admin/audit", query_string={"page": "9" * 5000}).status_code == 200
    assert web.get("/admin/audit", query_string={"page": "²"}).status_code == 200


@pytest.mark.parametrize("typed", ["²", "9" * 5000, "99999999999999999999"])
def test_versions_and_numbers_typed_with_odd_digits_are_refused_in_vietnamese(app: Flask, demo_services: Services,
                                                                             typed: str) -> None:
    web = _signed_in(app, "admin")
    task = task_led_by(demo_services, "Sở Nội vụ")
    response = web.post(f"/tasks/{task}/status", data={"period": "2024-Q3", "version": typed, "status": "in_progress"})
    assert response.status_code == 422 and "Phiên bản (version) không hợp lệ." in response.get_data(as_text=True)
    response = web.post("/reports/draft", data={"unit": "HT", "period": "2024-Q3", "action": "generate",
                                                "formats": "docx", "number": typed}, follow_redirects=True)
    assert response.status_code == 200 and "Số văn bản không hợp lệ" in response.get_data(as_text=True)
    with demo_services.sessions() as session:
        stp = session.scalar(select(User.id).where(User.username == "stp"))
    response = web.post(f"/admin/users/{stp}/unit", data={"unit": "HT", "agency": typed})
    assert response.status_code == 422 and "Cơ quan đã chọn không phải" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["1e24", "100000000000000000000000000", "1e308", "-1e308", "18446744073709551617"])
def test_an_absurdly_large_indicator_value_is_refused(app: Flask, demo_services: Services, value: str) -> None:
    client, headers = _admin_api(app, demo_services)
    data = f'{{"unit": "HT", "period": "2024-Q3", "code": "CD_KE_HOACH", "value": {value}, "version": 0}}'
    stored = client.get("/api/v1/indicator-values?unit=HT&period=2024-Q3", headers=headers).get_json()
    response = client.post("/api/v1/indicator-values", data=data, headers=headers, content_type="application/json")
    assert "lớn quá mức cho phép" in _error_of(response, 422)
    assert client.get("/api/v1/indicator-values?unit=HT&period=2024-Q3", headers=headers).get_json() == stored


def test_a_nul_byte_anywhere_is_refused_before_the_database(app: Flask, demo_services: Services) -> None:
    client, headers = _admin_api(app, demo_services)
    task = task_led_by(demo_services, "Sở Nội vụ")
    before = client.get(f"/api/v1/tasks/{task}", headers=headers).get_json()["updates"]
    status = {"period": "2024-Q3", "version": 0, "status": "in_progress", "result": "Đã\x00làm"}
    for method, path, body in (("POST", f"/api/v1/tasks/{task}/status", status),
                               ("POST", "/api/v1/indicator-values", {"unit": "HT", "period": "2024-Q3", "value": 5,
                                                                     "code": "CD_KE_HOACH", "note": "\x00", "version": 0}),
                               ("PUT", "/api/v1/units/HT/settings", {"place": "Hà\x00Tĩnh"}),
                               ("POST", "/api/v1/units/HT/agencies", {"name\x00": "Sở"}),
                               ("GET", "/api/v1/units?under=H%00T", None)):
        response = client.open(path, method=method, json=body, headers=headers)
        assert "ký tự không hợp lệ" in _error_of(response, 400), path
    assert client.get(f"/api/v1/tasks/{task}", headers=headers).get_json()["updates"] == before
    web = app.test_client()
    response = web.post("/login", data={"username": "ad\x00min", "password": PASSWORDS["admin"]})
    assert response.status_code == 400 and "ký tự không hợp lệ" in response.get_data(as_text=True)
    web = _signed_in(app, "admin")
    response = web.post(f"/tasks/{task}/status", data={**status, "version": "0"})
    assert response.status_code == 400 and "ký tự không hợp lệ" in response.get_data(as_text=True)
    assert web.get("/tasks", query_string={"q": "a\x00"}).status_code == 400


def test_a_lone_surrogate_in_json_is_refused(app: Flask, demo_services: Services) -> None:
    client, headers = _admin_api(app, demo_services)
    response = client.post("/api/v1/units/HT/agencies", data='{"name": "S\\ud800"}', headers=headers,
                           content_type="application/json")
    assert "ký tự không hợp lệ" in _error_of(response, 400)


@pytest.mark.parametrize("depth", [33, 5000])
def test_deeply_nested_json_is_refused(app: Flask, demo_services: Services, depth: int) -> None:
    client, headers = _admin_api(app, demo_services)
    task = task_led_by(demo_services, "Sở Nội vụ")
    data = '{"period": "2024-Q3", "version": 0, "status": "done", "result": ' + "[" * depth + "]" * depth + "}"
    response = client.post(f"/api/v1/tasks/{task}/status", data=data, headers=headers, content_type="application/json")
    assert "lồng nhau quá sâu" in _error_of(response, 400)
    shallow = '{"period": "2024-Q3", "version": 0, "status": "in_progress", "result": [[["x"]]]}'
    response = client.post(f"/api/v1/tasks/{task}/status", data=shallow, headers=headers,
                           content_type="application/json")
    assert "Trường 'result' phải là văn bản." in _error_of(response, 422)


def test_texts_are_checked_for_length_and_type_before_the_database(app: Flask, demo_services: Services) -> None:
    client, headers = _admin_api(app, demo_services)
    task = task_led_by(demo_services, "Sở Nội vụ")
    cases = [(f"/api/v1/tasks/{task}/status", {"period": "2024-Q3", "version": 0, "status": "done",
                                               "evidence_number": "x" * 129}, "Trường 'evidence_number' dài quá 128"),
             ("/api/v1/units", {"code": "9" * 65, "name": "Xã", "kind": "xa", "parent": "HT"}, "Trường 'code' dài quá 64"),
             ("/api/v1/units/HT/agencies", {"name": "x" * 256}, "Trường 'name' dài quá 255"),
             ("/api/v1/users", {"username": "u", "role": "viewer", "unit": "HT", "password": "p" * 1025},
              "Trường 'password' dài quá 1024"),
             ("/api/v1/units", {"code": ["99001"], "name": "Xã", "kind": "xa"}, "Trường 'code' phải là văn bản."),
             ("/api/v1/units/HT/agencies", {"name": {"a": 1}}, "Trường 'name' phải là văn bản.")]
    for path, body, reason in cases:
        assert reason in " ".join(assert_reasons(client.post(path, json=body, headers=headers))), path
    response = client.get("/api/v1/units", query_string={"under": "H" * 65}, headers=headers)
    assert "Trường 'under' dài quá 64 ký tự." in assert_reasons(response)
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert spec["AgencyInput"]["properties"]["name"]["maxLength"] == 255
    assert spec["StatusInput"]["properties"]["result"]["maxLength"] == 5000


def assert_reasons(response: Any) -> list[str]:
    """Return the reasons of a 422 answer."""
    body = response.get_json()
    assert response.status_code == 422, body
    return body["errors"]
