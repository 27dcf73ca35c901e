"""The data behind a report as JSON (issue 15, item 7): documented by docs/report-data.schema.json,
archived with every version, written by `--format json` and served by the API."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from reportsvc.periods import parse_period
from reportsvc.render import render
from reportsvc.report.build import build_report
from reportsvc.services.runtime import Services
from tests.cli_helpers import ok
from tests.web_fixtures import api_token

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "report-data.schema.json"


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft202012Validator:
    """Return a validator of the documented schema (itself checked against the 2020-12 meta-schema)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("unit", ["HT", "HT-TH-TD"])
def test_every_period_of_the_demo_validates_against_the_schema(demo_services: Services, unit: str) -> None:
    with demo_services.sessions() as session:
        for key in ("2024-Q1", "2024-H1", "2024-Q3", "2024-Y"):
            report = build_report(session, demo_services.registry, unit, parse_period(key))
            data = json.loads(render(report, ["json"])["json"])
            errors = sorted(validator().iter_errors(data), key=lambda e: list(e.path))
            assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
            assert data["period"]["key"] == key and data["unit"]["code"] == unit


def test_the_json_holds_tasks_with_evidence_indicators_and_completeness(demo_services: Services) -> None:
    with demo_services.sessions() as session:
        report = build_report(session, demo_services.registry, "HT", parse_period("2024-Y"))
    data = json.loads(render(report, ["json"])["json"])
    assert data["period"] == {"key": "2024-Y", "kind": "nam", "label": "năm 2024", "start": "2023-12-15",
                              "end": "2024-12-14"}
    assert data["unit"] == {"code": "HT", "name": "tỉnh Hà Tĩnh", "kind": "tinh"}
    tasks = [task for area in data["areas"] for task in area["tasks"]]
    assert data["summary"]["tasks"] == len(tasks) and data["summary"]["done"] == sum(
        1 for t in tasks if t["status"] in ("on_time", "late"))
    assert any(task["evidence"] for task in tasks)
    online = next(i for i in data["indicators"] if i["code"] == "TTHC_TY_LE_TRUC_TUYEN")
    row = next(r for a in report.areas for r in a.indicators if r.code == "TTHC_TY_LE_TRUC_TUYEN")
    assert (online["value"], online["target"], online["same_period_last_year"], online["achieved_percent"]) == \
        (row.actual, row.target, row.last_year, row.achieved_percent)
    kinds = {entry["kind"] for entry in data["completeness"]}
    assert kinds == {"agency", "unit"}
    assert "Thạch Đài" in json.dumps(data, ensure_ascii=False)  # Vietnamese kept as text


def test_json_is_archived_with_every_version_and_served_by_the_api(demo_services: Services, runner: CliRunner,
                                                                    client, tmp_path: Path) -> None:  # noqa: ANN001
    result = ok(runner, "--user", "admin", "report", "generate", "--unit", "HT", "--period", "2024-Q1",
                "--format", "docx", "--out", str(tmp_path))
    assert [Path(p).suffix for p in result.stdout.split()] == [".docx"]  # only what was asked is written
    result = ok(runner, "--user", "admin", "report", "generate", "--unit", "HT", "--period", "2024-Q1",
                "--format", "json", "--out", str(tmp_path))
    written = Path(result.stdout.split()[0])
    assert written.name == "BC-CCHC_HT_2024-Q1_v2.json"
    validator().validate(json.loads(written.read_text(encoding="utf-8")))
    headers = {"Authorization": f"Bearer {api_token(demo_services, 'admin')}"}
    listing = client.get("/api/v1/reports?unit=HT", headers=headers).get_json()
    first = next(r for r in listing if r["version"] == 1)
    assert {f["format"] for f in first["files"]} == {"docx", "json"}  # the data kept even when not asked
    detail = client.get(f"/api/v1/reports/{first['id']}", headers=headers).get_json()
    url = next(f["url"] for f in detail["files"] if f["format"] == "json")
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    validator().validate(json.loads(response.data))
