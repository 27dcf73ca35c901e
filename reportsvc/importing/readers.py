"""Readers turning DOCX, XLSX and CSV files (PDF: reportsvc.importing.pdf) into blocks: tables as grids of cell texts, and paragraphs.

Merged cells are resolved the same way for every format:

- a horizontally merged cell repeats its text in every grid column it spans, the repeats being
  flagged in ``Row.copies`` (python-docx does the same, minus the flag);
- the lower rows of a vertically merged cell are empty, so a merged TT cell is counted once
  and a merged "Nhiệm vụ" cell reads as "continue the task above".

Cell text is NFC, one line per paragraph, whitespace collapsed inside lines.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterator

from reportsvc.importing.errors import PlanImportError
from reportsvc.vn.text import nfc

MAX_EMPTY_ROWS = 1000  # consecutive empty sheet rows after which the rest of a sheet is ignored
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")


@dataclass
class Row:
    """One table row: the text of every grid column and which cells repeat their left neighbour."""

    cells: list[str]
    copies: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.copies) < len(self.cells):
            self.copies = self.copies + [False] * (len(self.cells) - len(self.copies))

    def own(self, index: int) -> str:
        """Return the text of column ``index`` unless it is absent or a merge repeat ("")."""
        if index < 0 or index >= len(self.cells) or self.copies[index]:
            return ""
        return self.cells[index]

    def texts(self) -> list[tuple[int, str]]:
        """Return (column, text) of the non-empty cells that are not merge repeats."""
        return [(i, c) for i, c in enumerate(self.cells) if c and not self.copies[i]]


@dataclass
class Block:
    """A table (``rows``) or a paragraph (``text``) of a document, in document order."""

    kind: str  # table | para
    rows: list[Row] = field(default_factory=list)
    text: str = ""
    continuable: bool = False  # a DOCX table may continue the plan table of an earlier block
    name: str = ""

    @property
    def width(self) -> int:
        """Return the number of grid columns of a table."""
        return max((len(r.cells) for r in self.rows), default=0)


def clean(text: Any) -> str:
    """Return cell text NFC-normalised, one trimmed line per paragraph, no empty lines."""
    if text is None:
        return ""
    value = nfc(str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in value.split("\n"))
    return "\n".join(line for line in lines if line)


def pad(rows: list[Row]) -> list[Row]:
    """Give every row of a table the same number of cells (empty, not copies)."""
    width = max((len(r.cells) for r in rows), default=0)
    for row in rows:
        missing = width - len(row.cells)
        if missing > 0:
            row.cells.extend([""] * missing)
            row.copies.extend([False] * missing)
    return rows


# ------------------------------------------------------------------------------------------
# DOCX
# ------------------------------------------------------------------------------------------

def _docx_blocks(data: bytes) -> list[Block]:
    import docx  # python-docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    body = document.element.body

    def paragraph_text(p: Any) -> str:
        """Return a paragraph's text (tabs and line breaks kept)."""
        return Paragraph(p, None).text

    def cell_text(tc: Any) -> str:
        """Return a cell's cleaned text, one line per paragraph."""
        return clean("\n".join(paragraph_text(p) for p in tc.iter(qn("w:p"))))

    def table_rows(tbl: Any) -> list[Row]:
        """Return a table's rows on the layout grid, merged cells resolved."""
        rows: list[Row] = []
        for tr in tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr"):
            cells: list[str] = []
            copies: list[bool] = []
            before = tr.grid_before if hasattr(tr, "grid_before") else 0
            cells.extend([""] * before)
            copies.extend([False] * before)
            for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc"):
                span = max(1, int(tc.grid_span or 1))
                text = "" if tc.vMerge == "continue" else cell_text(tc)
                cells.append(text)
                copies.append(False)
                cells.extend([text] * (span - 1))
                copies.extend([bool(text)] * (span - 1))
            rows.append(Row(cells, copies))
        return pad(rows)

    def body_elements(parent: Any) -> Iterator[Any]:
        """Yield the body's tables and paragraphs in order, looking inside content controls."""
        for child in parent.iterchildren():
            if child.tag == qn("w:sdt"):
                for content in child.iterchildren(qn("w:sdtContent")):
                    yield from body_elements(content)
            elif child.tag in (qn("w:tbl"), qn("w:p")):
                yield child

    blocks: list[Block] = []
    number = 0
    for child in body_elements(body):
        if child.tag == qn("w:tbl"):
            number += 1
            blocks.append(Block("table", table_rows(child), continuable=True, name=f"bảng {number}"))
        else:
            text = clean(paragraph_text(child))
            if text:
                blocks.append(Block("para", text=text))
    return blocks


# ------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------

def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y") if (value.hour, value.minute) == (0, 0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return clean(value)


def _xlsx_blocks(data: bytes) -> list[Block]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unsupported extensions, styles … are not our business
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    blocks = []
    for sheet in workbook.worksheets:
        grid: list[list[str]] = []
        empty_run = 0
        for values in sheet.iter_rows(values_only=True):
            cells = [_xlsx_value(v) for v in values]
            empty_run = 0 if any(cells) else empty_run + 1
            if empty_run > MAX_EMPTY_ROWS:  # formatting down to row 1 048 576: stop reading
                break
            grid.append(cells)
        copies = [[False] * len(row) for row in grid]
        for merged in sheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            if top >= len(grid) or left >= len(grid[top]):
                continue
            value = grid[top][left]
            for r in range(top, min(merged.max_row, len(grid))):
                for c in range(left, min(merged.max_col, len(grid[r]))):
                    if (r, c) == (top, left):
                        continue
                    if r == top:
                        grid[r][c] = value
                        copies[r][c] = bool(value)
                    else:
                        grid[r][c] = ""
                        copies[r][c] = False
        rows = pad([Row(cells, flags) for cells, flags in zip(grid, copies)])
        blocks.append(Block("table", rows, name=f"trang tính '{sheet.title}'"))
    workbook.close()
    return blocks


# ------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------

def _csv_blocks(data: bytes, name: str) -> list[Block]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanImportError(f"Tệp CSV '{name}' không phải mã UTF-8. Hãy lưu lại với mã hóa UTF-8.") from None
    if "\x00" in text:
        raise PlanImportError(f"Tệp '{name}' không phải tệp CSV dạng văn bản.")
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [Row([clean(c) for c in record]) for record in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise PlanImportError(f"Tệp CSV '{name}' bị lỗi định dạng: {exc}.") from None
    return [Block("table", pad(rows), name="CSV")]


def read_blocks(data: bytes, kind: str, name: str) -> list[Block]:
    """Read a checked file of ``kind`` (docx | xlsx | csv) into blocks; unreadable files raise PlanImportError."""
    if kind == "csv":
        return _csv_blocks(data, name)
    try:
        return _docx_blocks(data) if kind == "docx" else _xlsx_blocks(data)
    except PlanImportError:
        raise
    except Exception:  # noqa: BLE001 - any parser failure on a checked file means a damaged file
        label = "Word (.docx)" if kind == "docx" else "Excel (.xlsx)"
        raise PlanImportError(f"Không đọc được tệp {label} '{name}': tệp bị hỏng hoặc có cấu trúc không hợp lệ.") from None

