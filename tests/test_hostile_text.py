"""Text holding markup or template syntax is data: it renders literally in the DOCX and the PDF.

Two ways in: every text field of a hand-built report model (the renderers alone), and the fields a
user types into the database (task title, result, signer) through ``report generate``.
The hostile string would break the XML (``<b>&``) or run as a Jinja/docxtpl template
(``{{7*7}}`` would print 49, ``{% if %}`` would fail) if it were not escaped.
"""
from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.db.models import StatusUpdate, Task, Unit
from reportsvc.plugin.testing import docx_text, pdf_text
from reportsvc.render import render
from reportsvc.render.view import view_model
from tests.sample_report import HOSTILE, sample_report
from tests.test_render_format import _in_pdf, _pdftotext, _squash, _texts


def test_every_text_field_of_the_model_renders_literally(tmp_path: Path) -> None:
    """Markup and template syntax in every text field of the model come out as text in both files."""
    report = sample_report(hostile=True)
    files = render(report, ["docx", "pdf"])
    document = docx.Document(io.BytesIO(files["docx"]))  # opens: the XML is well formed
    texts = _texts(document)
    view = view_model(report)
    literal = [view.subject, view.header["number"], view.header["place_date"], *view.recipients,
               view.signature["name"], *(b.text for b in view.body), *(c.title for c in report.charts)]
    for annex in view.annexes:
        literal += [annex.title, *annex.columns, *(cell for row in annex.rows for cell in row)]
    upper = [view.doc_kind, *view.header["issuing_lines"], view.signature["authority"], view.signature["position"]]
    for text in literal:
        assert HOSTILE in text
        assert text in texts, text
    for text in upper:
        assert HOSTILE.upper() in text and text in texts
    docx_all = "\n".join(texts)
    assert docx_all.count(HOSTILE) >= len(literal)
    assert "&49" not in docx_all  # {{7*7}} was not evaluated

    path = tmp_path / "hostile.pdf"
    path.write_bytes(files["pdf"])
    squashed = _squash(_pdftotext(path, raw=True))
    assert [text for text in literal + upper if not _in_pdf(text, squashed)] == []
    assert squashed.count(_squash(HOSTILE)) >= len(literal)
    assert "&49" not in squashed


def test_docxtpl_marker_sequences_stay_literal() -> None:
    """docxtpl's {_{ … }_} markers and control characters in the data cannot alter the text."""
    text = "Mẫu {_{ x }_} và {_% y %_} \x01\x0c giữ nguyên"
    report = dataclasses.replace(sample_report(), subject=text, charts=[])
    document = docx.Document(io.BytesIO(render(report, ["docx"])["docx"]))
    assert "Mẫu {_{ x }_} và {_% y %_}  giữ nguyên" in _texts(document)


def test_text_typed_into_the_database_renders_literally(runner: CliRunner, demo_services,  # noqa: ANN001
                                                        tmp_path: Path) -> None:
    """A task title, its result and the signer holding hostile text reach both files unchanged."""
    with demo_services.transaction() as session:
        task = session.scalar(select(Task).join(Task.plan).where(Task.title.like("Đề án hoàn thiện%")))
        task.title = f"Đề án {HOSTILE} hoàn thiện"
        update = session.scalar(select(StatusUpdate).where(StatusUpdate.task_id == task.id)
                                .order_by(StatusUpdate.period_key.desc()))
        update.result = f"Kết quả {HOSTILE}"
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        unit.settings = {**unit.settings, "signer_name": f"Nguyễn {HOSTILE}"}
    result = runner.invoke(main, ["report", "generate", "--unit", "HT", "--period", "2024-Y",
                                  "--format", "docx,pdf", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.split()]
    assert sorted(path.suffix for path in paths) == [".docx", ".pdf"]
    for path in paths:
        data = path.read_bytes()
        text = docx_text(data) if path.suffix == ".docx" else pdf_text(data, tmp_path)
        assert f"Đề án {HOSTILE} hoàn thiện" in text, path.suffix
        assert f"Kết quả {HOSTILE}" in text, path.suffix
        assert f"Nguyễn {HOSTILE}" in text, path.suffix
        assert "&49" not in text, path.suffix
