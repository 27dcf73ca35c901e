"""Turn the seed plan texts into DOCX, XLSX and CSV files the way real plans look.

The texts are committed under tests/fixtures/seeds/ (copied verbatim from the shared seed folder
by scripts/copy_seed_fixtures.py), so the tests read nothing outside the repository. Seed 003 is the
raw text of a PDF; its table, put back into rows by hand, is tests/fixtures/seed_003_table.md, checked
word for word against the seed text whenever it is built (``tu_ky``).

Each seed is parsed into blocks (tables of cell texts, paragraphs between them) and written:

- DOCX: body paragraphs and title lines above the table; one Word table per page of the seed
  (a page-split table), the header row repeated (and marked ``tblHeader``) at the top of every
  other continuation table; area-heading rows merged horizontally (python-docx then returns
  the same text in every merged cell); TT / task cells of continuation rows merged vertically
  with the cell above.
- XLSX: one sheet, title rows merged across the width above the header, the header repeated at
  page breaks, heading rows merged, the same vertical merges; TT numbers stored as numbers.
- CSV: the XLSX grid without merges, UTF-8 with or without BOM.

The expected per-area counts are in the tests, counted by hand from the seed files.
"""
from __future__ import annotations

import collections
import csv
import html
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import docx
import openpyxl
from docx.oxml import OxmlElement
from docx.shared import Pt

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
HAI_DUONG = "000_8d409833d7e64fe6.txt"
HA_TINH = "001_81dc5ac12a8b2fdd.txt"
HAI_PHONG = "004_1949101df1de63d8.txt"
TU_KY = "003_cfa10bce6340c47d.txt"
# Seed 003 is the text a PDF extractor gave (columns interleaved, cells broken into lines); its table was put
# back into rows and columns by hand in this markdown file, which tu_ky() checks word for word against the seed.
TU_KY_TABLE = Path(__file__).resolve().parent / "fixtures" / "seed_003_table.md"

_HEADING_TT = re.compile(r"^(?:[IVX]+|[A-H])\.?$")
_HEADING_TEXT = re.compile(r"^(?:[IVX]+|[A-H])(?:\.|\s)\s*\S")


@dataclass
class SeedPlan:
    """A seed as blocks: ("table", rows) and ("para", text), plus the text above the table."""

    body: list[str] = field(default_factory=list)  # paragraphs of the decision/plan before the appendix
    title: list[str] = field(default_factory=list)  # title lines right above the table
    header: list[str] = field(default_factory=list)
    blocks: list[tuple[str, object]] = field(default_factory=list)
    vmerge_columns: tuple[int, ...] = ()
    header_in_seed: bool = False  # the seed itself repeats the header on every page

    @property
    def width(self) -> int:
        """Return the number of columns of the plan table."""
        return len(self.header)


def _cell(text: str) -> str:
    text = re.sub(r"<br\s*/?>|</p>\s*<p>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r"-*", c.strip()) for c in cells)


def _read(name: str) -> list[str]:
    return (SEEDS / name).read_text(encoding="utf-8").split("\n")


def hai_duong() -> SeedPlan:
    """Hải Dương 2024 (000): markdown tables, activities numbered 1–83 under areas I–VII."""
    plan = SeedPlan(vmerge_columns=(1,))
    _markdown_tables(_read(HAI_DUONG), plan)
    return plan


def _markdown_tables(lines: list[str], plan: SeedPlan) -> None:
    """Read markdown tables (the first header row is the plan's header) and the title lines above them."""
    table: list[list[str]] = []
    first_line_of_table = True
    for line in lines:
        if line.startswith("|"):
            cells = [_cell(c) for c in line.strip().strip("|").split("|")]
            if _is_separator(cells):
                continue
            if first_line_of_table:
                first_line_of_table = False
                if not plan.header:
                    plan.header = cells
                    continue
                if not any(cells):
                    continue  # the markdown header of a continuation table is empty
            table.append(cells)
            continue
        if table:
            plan.blocks.append(("table", table))
            table = []
        first_line_of_table = True
        text = line.strip().lstrip("#").strip()
        if text and not plan.header:
            plan.title.append(text)
    if table:
        plan.blocks.append(("table", table))


def _tab_plan(name: str, start: str, vmerge: tuple[int, ...], header_in_seed: bool) -> SeedPlan:
    lines = _read(name)
    first = next(i for i, line in enumerate(lines) if line.strip() == start)
    plan = SeedPlan(body=[line.strip() for line in lines[:first] if line.strip()], vmerge_columns=vmerge,
                    header_in_seed=header_in_seed)
    table: list[list[str]] = []
    for line in lines[first:]:
        if "\t" not in line:
            if table:
                plan.blocks.append(("table", table))
                table = []
            text = line.strip()
            if text and not plan.header:
                plan.title.append(text)
            elif text:
                plan.blocks.append(("para", text))
            continue
        cells = [_cell(c) for c in line.split("\t")]
        if _is_separator(cells):
            continue
        if not plan.header:
            plan.header = cells
            continue
        table.append(cells)
    if table:
        plan.blocks.append(("table", table))
    return plan


def ha_tinh() -> SeedPlan:
    """Hà Tĩnh 2024 (001): the appendix from "PHỤ LỤC"; wrapped cells continue on the next page."""
    return _tab_plan(HA_TINH, "PHỤ LỤC", vmerge=(0, 1), header_in_seed=False)


def hai_phong() -> SeedPlan:
    """Hải Phòng 2024 (004): the list from "DANH MỤC"; header repeated on every page."""
    return _tab_plan(HAI_PHONG, "DANH MỤC", vmerge=(0,), header_in_seed=True)


def _seed_words(text: str) -> list[str]:
    """Return the words of a text, a word cut after "-" or "/" at a line end joined again ("2022-" | "2025")."""
    return re.sub(r"([-/–])\s+", r"\1", unicodedata.normalize("NFC", text)).split()


def tu_ky() -> SeedPlan:
    """Tứ Kỳ 2023 (003): the seed's title lines over the table rebuilt from its text (TU_KY_TABLE).

    The rebuilt table has the seed's words, each as often as the seed has it: the only words added are
    the STT numbers the extractor lost (2–11, 13–26, 28, 29, 65, 70, 76; the plan itself skips 57). A
    task cell is merged over the activity rows it belongs to (its text is centred in the PDF, so the
    seed prints it among them); the STT cell of activity III 2.3, which has no number of its own, is
    merged with the row above. Anything else in the seed raises ValueError.
    """
    lines = _read(TU_KY)
    header_at = next(i for i, line in enumerate(lines) if line.startswith("STT "))
    plan = SeedPlan(vmerge_columns=(0, 1))
    _markdown_tables(TU_KY_TABLE.read_text(encoding="utf-8").split("\n"), plan)
    plan.title = [" ".join(line.split()) for line in lines[:header_at] if line.strip()]
    rows = [plan.header] + [cells for kind, table in plan.blocks if kind == "table" for cells in table]
    seed = collections.Counter(_seed_words("\n".join(lines[header_at:])))
    ours = collections.Counter(word for cells in rows for text in cells[1:] for word in _seed_words(text))
    ours.update(cells[0] for cells in rows if cells[0] and not cells[0].isdigit())  # "STT", area numerals
    for number in (cells[0] for cells in rows[1:] if cells[0].isdigit()):
        if seed[number] > ours[number]:
            ours[number] += 1  # a number the seed has: checked like any word
    numbers = [int(cells[0]) for cells in rows[1:] if cells[0].isdigit()]
    if seed != ours or numbers != sorted(set(numbers)):
        raise ValueError(f"{TU_KY_TABLE.name} does not match {TU_KY}: missing {dict(seed - ours)}, "
                         f"added {dict(ours - seed)}, STT {numbers}")
    return plan


SEED_PLANS = {"000": hai_duong, "001": ha_tinh, "003": tu_ky, "004": hai_phong}


# ------------------------------------------------------------------------------------------
# Row kinds
# ------------------------------------------------------------------------------------------

def is_header(cells: list[str], header: list[str]) -> bool:
    """Return True for a (repeated) header row."""
    return [c.lower() for c in cells] == [h.lower() for h in header]


def heading_span(cells: list[str]) -> tuple[int, int] | None:
    """Return the (first, last) columns to merge for an area-heading row, or None for other rows."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled:
        return None
    if _HEADING_TT.match(cells[0]) and len(filled) == 2:
        return filled[1], len(cells) - 1  # "II | CẢI CÁCH THỂ CHẾ": the title merged to the end
    if filled == [0] and _HEADING_TEXT.match(cells[0]):
        return 0, len(cells) - 1  # "I. Chỉ đạo điều hành…": one cell across the row
    return None


def _pages(plan: SeedPlan) -> list[tuple[str, object]]:
    """Return the blocks with the header placed where the fixture repeats it."""
    out: list[tuple[str, object]] = []
    tables = 0
    for kind, value in plan.blocks:
        if kind != "table":
            out.append((kind, value))
            continue
        rows = [list(r) for r in value]  # type: ignore[union-attr]
        if tables == 0 and not (rows and is_header(rows[0], plan.header)):
            rows.insert(0, list(plan.header))
        elif tables > 0 and not plan.header_in_seed and tables % 2 == 1:
            rows.insert(0, list(plan.header))  # repeat the header on every other page
        out.append(("table", rows))
        tables += 1
    return out


def _vertical_runs(rows: list[list[str]], column: int, header: list[str]) -> list[tuple[int, int]]:
    """Return (top, bottom) row ranges where empty cells merge with the filled cell above them."""
    runs = []
    top: int | None = None
    for index, cells in enumerate(rows + [[]]):
        data = bool(cells) and any(cells) and not is_header(cells, header) and heading_span(cells) is None
        if data and not cells[column] and top is not None:
            continue  # the run goes on
        if top is not None and index - 1 > top:
            runs.append((top, index - 1))
        top = index if data and cells[column] else None
    return runs


# ------------------------------------------------------------------------------------------
# Writers
# ------------------------------------------------------------------------------------------

def _set_text(cell: object, text: str) -> None:
    lines = text.split("\n") if text else [""]
    cell.text = lines[0]  # type: ignore[attr-defined]
    for line in lines[1:]:
        cell.add_paragraph(line)  # type: ignore[attr-defined]


def _mark_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(OxmlElement("w:tblHeader"))


def to_docx(plan: SeedPlan) -> bytes:
    """Write the seed as a DOCX: title paragraphs, page-split tables, merged cells, repeated headers."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(11)
    for text in plan.body:
        document.add_paragraph(text)
    for text in plan.title:
        document.add_paragraph(text)
    for kind, value in _pages(plan):
        if kind == "para":
            document.add_paragraph(str(value))
            continue
        rows: list[list[str]] = value  # type: ignore[assignment]
        table = document.add_table(rows=len(rows), cols=plan.width)
        table.style = "Table Grid"
        for r, cells in enumerate(rows):
            cells = (cells + [""] * plan.width)[:plan.width]
            row = table.rows[r]
            if is_header(cells, plan.header):
                _mark_header(row)
            span = heading_span(cells)
            row_cells = row.cells
            for c, text in enumerate(cells):
                if text and (span is None or c <= span[0] or c > span[1]):
                    _set_text(row_cells[c], text)
            if span is not None and span[1] > span[0]:
                merged = table.cell(r, span[0]).merge(table.cell(r, span[1]))
                _set_text(merged, cells[span[0]])
        for column in plan.vmerge_columns:
            for top, bottom in _vertical_runs(rows, column, plan.header):
                text = rows[top][column]
                merged = table.cell(top, column).merge(table.cell(bottom, column))
                _set_text(merged, text)
        document.add_paragraph("")
    document.add_paragraph("Nơi nhận:")
    document.add_paragraph("- Như trên;")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def grid(plan: SeedPlan) -> list[tuple[list[str], str]]:
    """Return the sheet rows of the XLSX/CSV fixture with their kind: title, header, para, row."""
    out: list[tuple[list[str], str]] = [([text] + [""] * (plan.width - 1), "title") for text in plan.title]
    out.append(([""] * plan.width, "blank"))
    for kind, value in _pages(plan):
        if kind == "para":
            out.append(([str(value)] + [""] * (plan.width - 1), "para"))
            continue
        for cells in value:  # type: ignore[union-attr]
            cells = (list(cells) + [""] * plan.width)[:plan.width]
            out.append((cells, "header" if is_header(cells, plan.header) else "row"))
    return out


def to_xlsx(plan: SeedPlan) -> bytes:
    """Write the seed as an XLSX sheet with merged title/heading rows and vertical merges."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Phụ lục"
    rows = grid(plan)
    paras = 0
    for r, (cells, kind) in enumerate(rows, start=1):
        for c, text in enumerate(cells, start=1):
            if not text:
                continue
            sheet.cell(r, c, int(text) if c == 1 and text.isdigit() else text)
        if kind == "title":
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=plan.width)
        elif kind == "para":
            paras += 1
            if paras % 2 == 1:  # one heading paragraph merged across the row, the next one not
                sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=plan.width)
        elif kind == "row":
            span = heading_span(cells)
            if span is not None and span[1] > span[0]:
                sheet.merge_cells(start_row=r, start_column=span[0] + 1, end_row=r, end_column=span[1] + 1)
    data_rows = [cells for cells, _ in rows]
    for column in plan.vmerge_columns:
        for top, bottom in _vertical_runs(data_rows, column, plan.header):
            if any(kind != "row" for _, kind in rows[top:bottom + 1]):
                continue
            sheet.merge_cells(start_row=top + 1, start_column=column + 1, end_row=bottom + 1, end_column=column + 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_csv(plan: SeedPlan, bom: bool = True, delimiter: str = ",") -> bytes:
    """Write the seed's sheet grid as CSV (UTF-8, with a BOM by default)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for cells, _kind in grid(plan):
        writer.writerow(cells)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def build(seed: str, fmt: str) -> bytes:
    """Return the fixture bytes of a seed ("000", "001", "003", "004") in a format (docx, xlsx, csv)."""
    plan = SEED_PLANS[seed]()
    return {"docx": to_docx, "xlsx": to_xlsx, "csv": to_csv}[fmt](plan)


def write(seed: str, fmt: str, folder: Path) -> Path:
    """Write a fixture file into ``folder`` and return its path."""
    path = folder / f"seed_{seed}.{fmt}"
    path.write_bytes(build(seed, fmt))
    return path
