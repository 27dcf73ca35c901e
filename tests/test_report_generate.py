"""End to end: demo locality → report generate → DOCX and PDF holding the real data, kept in the archive."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from reportsvc.report.build import build_report
from reportsvc.cli.main import main
from reportsvc.demo.data import AREAS
from reportsvc.periods import parse_period
from reportsvc.render import render
from reportsvc.vn.text import collapse
from reportsvc.plugin.testing import docx_text, pdf_text

AREA_TITLES = ["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy hành chính nhà nước",
               "Cải cách chế độ công vụ", "Cải cách tài chính công",
               "Xây dựng và phát triển chính quyền điện tử, chính quyền số"]
TITLES = {"2024-Q1": "quý I năm 2024", "2024-H1": "6 tháng đầu năm 2024", "2024-Q3": "quý III năm 2024",
          "2024-Y": "năm 2024"}


def test_demo_reports_for_q1_h1_q3_y(runner: CliRunner, demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    tasks = [collapse(task[1]) for _, _, items in AREAS[:7] for task in items]
    for period, label in TITLES.items():
        out = tmp_path / period
        result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", period,
                                      "--format", "docx,pdf", "--out", str(out)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        # The plan's VII.B area has no plugin in this installation: said, not silently dropped.
        assert "Cảnh báo: Lĩnh vực 'VII.B. ÁP DỤNG ISO 9001:2015'" in result.stderr
        paths = [Path(line) for line in result.stdout.split()]
        assert sorted(p.suffix for p in paths) == [".docx", ".pdf"]
        for path in paths:
            data = path.read_bytes()
            text = docx_text(data) if path.suffix == ".docx" else pdf_text(data, tmp_path)
            assert f"Kết quả thực hiện công tác cải cách hành chính {label}" in text
            for title in AREA_TITLES:
                assert title in text, (period, path.suffix, title)
            for task in tasks:
                assert task in text, (period, path.suffix, task)


def test_periods_differ_in_their_figures(demo_services) -> None:  # noqa: ANN001
    figures = {}
    with demo_services.sessions() as session:
        for key in ("2024-Q1", "2024-H1", "2024-Q3", "2024-Y"):
            report = build_report(session, demo_services.registry, "HT", parse_period(key))
            tthc = next(a for a in report.areas if a.code == "III")
            received = next(r for r in tthc.indicators if r.code == "TTHC_HS_TIEP_NHAN")
            done = sum(a.count("on_time") + a.count("late") for a in report.areas)
            figures[key] = (received.actual, done)
    assert len(set(figures.values())) == 4
    assert figures["2024-Q1"][0] < figures["2024-H1"][0] < figures["2024-Q3"][0] < figures["2024-Y"][0]


def test_every_version_is_kept_with_its_hash(runner: CliRunner, demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    for _ in range(2):
        assert runner.invoke(main, ["report", "generate", "--unit", "HT-TH-TD", "--period", "2024-Q1",
                                    "--format", "docx", "--out", str(tmp_path)]).exit_code == 0
    listed = json.loads(runner.invoke(main, ["report", "list", "--json"]).output)
    assert [(r["unit"], r["period"], r["version"]) for r in listed] == [("HT-TH-TD", "2024-Q1", 2),
                                                                         ("HT-TH-TD", "2024-Q1", 1)]
    for row in listed:
        file = row["files"][0]
        assert file["sha256"] == hashlib.sha256((tmp_path / file["filename"]).read_bytes()).hexdigest()


def test_officer_overrides_are_stored_and_used(runner: CliRunner, demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    overrides = tmp_path / "sua.json"
    overrides.write_text(json.dumps({"V": "Đề nghị Bộ Nội vụ sớm ban hành hướng dẫn mới.\n\nĐoạn thứ hai.",
                                     "II.III": "Nội dung TTHC do cán bộ viết lại."}, ensure_ascii=False))
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "docx",
                                  "--overrides", str(overrides), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    # The next render without the file still uses the stored draft.
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "docx",
                                  "--out", str(tmp_path / "b")])
    text = docx_text(Path(result.stdout.split()[0]).read_bytes())
    assert "Đề nghị Bộ Nội vụ sớm ban hành hướng dẫn mới." in text and "Đoạn thứ hai." in text
    assert "Nội dung TTHC do cán bộ viết lại." in text


def test_unknown_override_section_is_refused(runner: CliRunner, demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    overrides = tmp_path / "sua.json"
    overrides.write_text('{"IX": "?"}')
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Q1", "--format", "docx",
                                  "--overrides", str(overrides), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "IX" in result.stderr


def test_every_period_kind_gets_its_title_and_window(demo_services) -> None:  # noqa: ANN001
    expected = {
        "2024-Q1": ("quý I năm 2024", "2023-12-15", "2024-03-14"),
        "2024-H1": ("6 tháng đầu năm 2024", "2023-12-15", "2024-06-14"),
        "2024-M9": ("9 tháng năm 2024", "2023-12-15", "2024-09-14"),
        "2024-Q3": ("quý III năm 2024", "2024-06-15", "2024-09-14"),
        "2024-Y": ("năm 2024", "2023-12-15", "2024-12-14"),
    }
    with demo_services.sessions() as session:
        for key, (label, start, end) in expected.items():
            report = build_report(session, demo_services.registry, "HT", parse_period(key))
            assert report.subject == f"Kết quả thực hiện công tác cải cách hành chính {label}"
            assert (report.period.start.isoformat(), report.period.end.isoformat()) == (start, end)
            text = docx_text(render(report, ["docx"])["docx"])
            assert f"Kết quả thực hiện công tác cải cách hành chính {label}" in text
            # "Phương hướng" looks at the period after this one.
            assert report.section("IV").paragraphs[0].startswith(f"Trong {parse_period(key).next().label}")
