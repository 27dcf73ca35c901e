"""The view model both renderers fill their templates from: a Report turned into plain, cleaned strings.

Renderers read only the Report model. Both formats are filled from the same view model
(:func:`view_model`): plain, cleaned strings in the layout order of Nghị định 30/2020, so the
DOCX and the PDF carry the same text.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reportsvc.errors import SetupError
from reportsvc.report.model import (AnnexTable, Cell, Chart, Measure, NarrativeSection, Percent, Report, Submission,
                                    SubmissionState, TaskStatus, Timeliness, Unapproved)
from reportsvc.status import CLASSES
from reportsvc.vn import format as fmt
from reportsvc.vn.numerals import roman

try:
    from reportsvc_templates import TEMPLATE_DIR
except ImportError:  # running from a checkout that was not pip-installed
    TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "report_templates"

FORMATS = ("docx", "pdf", "pdfa", "json")
"""The formats :func:`render` produces: "docx", "pdf", "pdfa" (PDF/A-3b, for archiving) and "json" (the data
behind the report, reportsvc.report.data)."""

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "pdfa": "application/pdf",
    "json": "application/json",
}
EXTENSIONS = {"docx": ".docx", "pdf": ".pdf", "pdfa": ".pdf", "json": ".json"}

_log = logging.getLogger(__name__)


class RenderError(SetupError):
    """A report could not be rendered (missing or broken template, renderer failure); 500 on the web, exit 2."""

    title = "Không tạo được báo cáo"


# --------------------------------------------------------------------------------------------
# The view model shared by the DOCX and PDF renderers
# --------------------------------------------------------------------------------------------

# XML 1.0 forbids most C0 controls; \a and \f would also be turned into paragraph/page breaks
# by docxtpl. Keep \t and \n (a line break inside a paragraph).
_CONTROL = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_NUMERIC = re.compile(r"^[\s\d.,%+\-–/()]*\d[\s\d.,%+\-–/()]*$")
_BODY_PREFIX = "ỦY BAN NHÂN DÂN "
_ANNEX_NUMBER = re.compile(r"^\s*phụ lục\s+[IVXLC\d]+\s*[.:\-–]?\s*", re.IGNORECASE)


def clean(text: Any) -> str:
    """Return ``text`` as NFC text with XML-illegal control characters removed ("" for None)."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def upper(text: Any) -> str:
    """Return the cleaned text in upper case (Vietnamese-aware: "ủy" -> "ỦY")."""
    return clean(text).upper()


@dataclass
class Block:
    """One paragraph of the body: kind "h1", "h2", "h3" (headings) or "p" (body text)."""

    kind: str
    text: str


@dataclass
class AnnexView:
    """An annex table ready to lay out: widths as fractions summing to 1, rows padded."""

    title: str
    note: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]
    numeric: list[list[bool]] = field(default_factory=list)  # centred cells: numbers, "I", "II"…
    groups: list[bool] = field(default_factory=list)  # area rows ("II", "CẢI CÁCH THỂ CHẾ", …)


@dataclass
class ReportView:
    """Everything both renderers need, in layout order, as cleaned strings."""

    title: str
    author: str
    header: dict[str, Any]
    doc_kind: str
    subject: str
    body: list[Block]
    recipients: list[str]
    signature: dict[str, str]
    annexes: list[AnnexView]
    charts: list[Chart]


def view_model(report: Report) -> ReportView:
    """Return the cleaned, layout-ordered view of ``report`` that both renderers fill in."""
    header = report.header
    parent = upper(header.parent_body).strip()
    number = clean(header.number)
    place_date = clean(header.place_date)
    return ReportView(
        title=" ".join(part for part in (clean(report.doc_kind).capitalize(), clean(report.subject)) if part),
        author=upper(header.issuing_body),
        header={
            "parent_body": parent,
            "issuing_lines": issuing_lines(header.issuing_body, has_parent=bool(parent)),
            "number": number,
            "place_date": place_date,
        },
        doc_kind=upper(report.doc_kind) or "BÁO CÁO",
        subject=clean(report.subject),
        body=list(_blocks(report.sections, level=1)),
        recipients=[recipient_line(item) for item in report.recipients if clean(item).strip()],
        signature={
            "authority": upper(report.signature.authority),
            "position": upper(report.signature.position),
            "name": clean(report.signature.name),
        },
        annexes=[_annex(annex, position, annex_note(number, place_date))
                 for position, annex in enumerate(report.annexes, 1)],
        charts=list(report.charts),
    )


def issuing_lines(issuing_body: str, has_parent: bool) -> list[str]:
    """Split "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH" into the two lines used when the UBND issues."""
    text = upper(issuing_body)
    if not has_parent and text.startswith(_BODY_PREFIX) and len(text) > len(_BODY_PREFIX):
        return [_BODY_PREFIX.strip(), text[len(_BODY_PREFIX):].strip()]
    return [text] if text else []


def recipient_line(item: str) -> str:
    """Return a Nơi nhận line starting with "- " as in the official layout."""
    text = clean(item).strip()
    return text if text[:1] in ("-", "–", "+", "•") else f"- {text}"


def annex_note(number: str, place_date: str) -> str:
    """Return "(Kèm theo Báo cáo số 05/BC-UBND ngày 05 tháng 12 năm 2024)" from the header."""
    reference = re.sub(r"^\s*số\s*:?\s*", "", number, flags=re.IGNORECASE)
    at = place_date.find("ngày")
    when = f" {place_date[at:]}" if at >= 0 else ""
    return f"(Kèm theo Báo cáo số {reference}{when})" if reference or when else ""


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, (Measure, Percent)) or (isinstance(cell, (int, float)) and not isinstance(cell, bool))


def is_numeric(text: str) -> bool:
    """Return True for cells that hold a number, a percent or a count ("1.234,5", "94,5%")."""
    return bool(_NUMERIC.match(text))


def _blocks(sections: list[NarrativeSection], level: int) -> Iterable[Block]:
    for section in sections:
        heading = clean(section.heading).strip()
        if heading:
            yield Block(f"h{min(level, 3)}", heading)
        for paragraph in section.paragraphs:
            text = clean(paragraph).strip()
            if text:
                yield Block("p", text)
        yield from _blocks(section.subsections, level + 1)


def cell_text(cell: Cell) -> str:
    """Format a typed annex cell once, for both renderers: numbers and dates for vi_VN, statuses as labels."""
    if cell is None:
        return ""
    if isinstance(cell, Measure):
        return fmt.percent(cell.value) if cell.unit == "%" else fmt.number(cell.value)
    if isinstance(cell, Percent):
        return fmt.percent(cell.value)
    if isinstance(cell, TaskStatus):
        return CLASSES.get(cell.key, cell.key)
    if isinstance(cell, Submission):
        return "Đã báo cáo" if cell.reported else "Chưa báo cáo"
    if isinstance(cell, (SubmissionState, Timeliness, Unapproved)):
        return cell.label
    if isinstance(cell, bool):
        return "Có" if cell else "Không"
    if isinstance(cell, (int, float)):
        return fmt.number(cell)
    if isinstance(cell, date):
        return fmt.short_date(cell)
    return clean(cell)


def annex_title(position: int, title: str) -> str:
    """Return "Phụ lục IV. <title>": annexes are numbered here, in their final order (a number a plugin wrote is replaced)."""
    return f"Phụ lục {roman(position)}. {_ANNEX_NUMBER.sub('', clean(title)).strip()}"


def _annex(annex: AnnexTable, position: int, note: str) -> AnnexView:
    rows = [[cell_text(cell) for cell in row] for row in annex.rows]
    count = max([len(annex.columns)] + [len(row) for row in rows])
    columns = [clean(c) for c in annex.columns] + [""] * (count - len(annex.columns))
    rows = [row + [""] * (count - len(row)) for row in rows]
    widths = [float(w) for w in annex.widths]
    if len(widths) != count or any(w <= 0 for w in widths):
        widths = [1.0] * count
    total = sum(widths)
    groups = set(annex.group_rows)
    return AnnexView(
        title=annex_title(position, annex.title), note=note, columns=columns, rows=rows,
        widths=[w / total for w in widths],
        numeric=[[_is_number(typed) or is_numeric(cell) or (index == 0 and number in groups)
                  for index, (typed, cell) in enumerate(zip(list(source) + [None] * count, row))]
                 for number, (source, row) in enumerate(zip(annex.rows, rows))],
        groups=[number in groups for number in range(len(rows))],
    )
