"""Helpers for tests that read generated files: text out of a DOCX and out of a PDF."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx

from reportsvc.text import collapse


def docx_text(data: bytes) -> str:
    """Return all paragraph and table text of a DOCX (body, tables, headers), whitespace collapsed."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return collapse("\n".join(parts))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """Return the text of a PDF in content order (pdftotext -raw, so table cells stay whole), collapsed."""
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True)
    return collapse(out.stdout.decode("utf-8"))
