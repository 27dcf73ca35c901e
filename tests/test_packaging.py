"""A plain ``pip install .`` gives a working service: the wheel ships plugins, templates and migrations."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_everything_the_service_needs(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("reportsvc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in ("chi_dao_dieu_hanh", "the_che", "thu_tuc_hanh_chinh", "to_chuc_bo_may", "che_do_cong_vu",
                   "tai_chinh_cong", "chinh_quyen_so"):
        assert f"reportsvc_plugins/{module}.py" in names
    assert {"reportsvc_templates/report.docx", "reportsvc_templates/report.html",
            "reportsvc_templates/report.css"} <= names
    assert "reportsvc/db/migrations/env.py" in names and "reportsvc/db/migrations/script.py.mako" in names
    assert any(n.startswith("reportsvc/db/migrations/versions/0001_") for n in names)
    for folder in ("reportsvc/web/templates", "reportsvc/web/static", "report_templates"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".html", ".css", ".svg", ".docx"):
                shipped = path.relative_to(ROOT).as_posix().replace("report_templates/", "reportsvc_templates/")
                assert shipped in names, shipped
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "reportsvc = reportsvc.cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
