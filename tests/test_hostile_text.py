"""Text holding markup or template syntax is data: it renders literally in both files."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import StatusUpdate, Task, Unit
from reportsvc.plugin.testing import docx_text, pdf_text

HOSTILE = "<b>&{{7*7}}{% if x %}"


def test_hostile_text_renders_literally(runner: CliRunner, demo_services, tmp_path: Path) -> None:  # noqa: ANN001
    with demo_services.transaction() as session:
        task = session.scalar(select(Task).join(Task.plan).where(Task.title.like("Đề án hoàn thiện%")))
        task.title = f"Đề án {HOSTILE} hoàn thiện"
        task.lead_text = HOSTILE
        update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task.id)
                                .order_by(StatusUpdate.period_key.desc()))
        update.result = f"Kết quả {HOSTILE}"
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        unit.settings = {**unit.settings, "signer_name": f"Nguyễn {HOSTILE}"}
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Y",
                                  "--format", "docx,pdf", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for path in map(Path, result.stdout.split()):
        data = path.read_bytes()
        text = docx_text(data) if path.suffix == ".docx" else pdf_text(data, tmp_path)
        assert f"Đề án {HOSTILE} hoàn thiện" in text, path.suffix
        assert f"Nguyễn {HOSTILE}" in text, path.suffix
