"""Finding the plan table in a document's blocks and grouping its rows into areas and items.

Rules (see docs of issue 4 and shared/seeds/README.md):

- The header row is the first row whose cells name a task column (Nhiệm vụ / Nội dung công việc /
  Mục tiêu, chỉ tiêu) and at least two other known columns, compared without case or
  diacritics; a leading column number ("1. NHIỆM VỤ", "1- Mục tiêu") is ignored. A second header
  row right below ("Chủ trì | Phối hợp" under a merged "Cơ quan thực hiện") completes it. Rows
  above it are title rows. Repeated header rows, rows of header words only and a row of column
  numbers ("1 2 3 …", "(1) (2) …") are skipped.
- A DOCX plan table may be split into several tables: a later table continues the plan when it
  has the same number of columns or its own header row. Paragraphs between two such tables are
  read as area headings ("VI. Cải cách tài chính công"); other paragraphs are ignored.
- Area headings: a Roman numeral in the TT column with the title in another cell; or one text
  across the row ("I. Chỉ đạo điều hành…", "III CẢI CÁCH THỦ TỤC HÀNH CHÍNH"). A letter (A, B)
  under an area opens a sub-area numbered "VII.A"; the parent keeps its own entry with the items
  written directly under it (often none).
- Items: a row whose TT cell is an Arabic number ("1", "1.1.") starts an item. Rows without a
  number continue the item above: their cells are appended (a fragment starting in lower case
  joins the previous line, anything else starts a new line). An item whose task cell is empty
  takes the task text of the item above in the same area; when the table has a Hoạt động column, such
  a row is one more activity of the item above (the Hải Dương layout: "1.3. Nhiệm vụ 3" over several
  numbered activity rows is one task with its activities listed). A row whose Hoạt động cell carries
  a task label ("1.3. Nhiệm vụ 3:") is shifted by a column: it is kept as its own item and flagged.
  Labels such as "1.3. Nhiệm vụ 3:" and
  "2.1. Hoạt động 1:" (or its misspelling "Hoạt dộng") at the start of a cell are dropped from the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportsvc.areas.matching import words
from reportsvc.vn.numerals import roman_value
from reportsvc.importing.model import FIELDS, ParsedActivity, ParsedArea, ParsedItem
from reportsvc.importing.readers import Block, Row
from reportsvc.vn.text import collapse

ROLES = ("tt",) + FIELDS
LOOKED_FOR = ("TT/STT; Nhiệm vụ / Nội dung công việc / Mục tiêu, chỉ tiêu; Hoạt động; Sản phẩm / Kết quả, sản phẩm; "
              "Cơ quan chủ trì / Chủ trì; Cơ quan phối hợp / Phối hợp; Thời gian hoàn thành / thực hiện; Kinh phí")
_OTHER_ROLES = ("activity", "product", "lead", "coord", "deadline", "budget")
_HEADING = re.compile(r"^(?P<num>[IVXL]{1,7}|[A-H])(?P<sep>\s*[.:)\-–]\s*|\s+)(?P<title>\S.*)$", re.DOTALL)
_ITEM_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*[.):]?$")
_LABEL = re.compile(r"^\s*\d+(?:[.:]\s?\d+)*\s*[.:]?\s*(?:nhiệm vụ|hoạt [dđ]ộng)\s*\d+\s*[:.]?\s*",
                    re.IGNORECASE)  # "Hoạt dộng 7:" is a typo the Tứ Kỳ plan makes
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
_LEADING_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)[.)]\s+\S")
_TASK_LABEL = re.compile(r"^\s*(?:\d+(?:[.:]\s?\d+)*\s*[.:]?\s*)?nhiệm vụ\s*\d+", re.IGNORECASE)
_ACTIVITY_ROLES = ("activity", "product", "lead", "coord", "deadline")


def header_role(text: str) -> str | None:
    """Return the column role a header cell names (tt, title, lead, …), or None."""
    key = re.sub(r"^\d{1,2} ", "", words(text))
    if not key or len(key) > 70:
        return None
    if key in ("tt", "stt", "s tt", "s t t", "so tt", "so thu tu", "t t"):
        return "tt"
    if "muc tieu" in key or key.startswith("chi tieu"):
        return "objective"
    if "nhiem vu" in key or "noi dung" in key or "cong viec" in key:
        return "title"
    if "hoat dong" in key:
        return "activity"
    if "san pham" in key or "ket qua" in key:
        return "product"
    if "chu tri" in key:
        return "lead"
    if "phoi hop" in key:
        return "coord"
    if "thoi gian" in key or "thoi han" in key or "tien do" in key:
        return "deadline"
    if "kinh phi" in key:
        return "budget"
    return None


@dataclass
class ColumnMap:
    """Which grid column holds which role, from a header row."""

    roles: dict[str, int]
    width: int

    def get(self, row: Row, role: str) -> str:
        """Return the row's own text in the role's column ("" when absent)."""
        index = self.roles.get(role)
        return row.own(index) if index is not None else ""


def match_header(row: Row) -> ColumnMap | None:
    """Return the column map when ``row`` is a plan table header, else None."""
    roles: dict[str, int] = {}
    for index, text in row.texts():
        role = header_role(text)
        if role and role not in roles:
            roles[role] = index
    others = sum(role in roles for role in _OTHER_ROLES)
    if "title" not in roles and "objective" not in roles:
        return None
    if others < 2 or ("tt" not in roles and others < 3):
        return None
    return ColumnMap(roles, len(row.cells))


def header_cells_only(row: Row) -> bool:
    """Return True for a row made only of header words ("Chủ trì | Phối hợp" under a merged header)."""
    texts = row.texts()
    return len(texts) >= 2 and all(header_role(t) for _, t in texts)


def extend_header(columns: ColumnMap, row: Row) -> ColumnMap | None:
    """Return the column map completed by a second header row (sub-columns), or None if it is not one."""
    if not header_cells_only(row):
        return None
    roles = dict(columns.roles)
    added = False
    for index, text in row.texts():
        role = header_role(text)
        if role and (role not in roles or roles[role] == index or row.copies[roles[role]]):
            added = added or roles.get(role) != index
            roles[role] = index
    return ColumnMap(roles, columns.width) if added else None


def strip_label(text: str) -> str:
    """Drop a leading "1.3. Nhiệm vụ 3:" / "2.1. Hoạt động 1:" label from a cell's text."""
    stripped = _LABEL.sub("", text, count=1)
    return stripped.strip() if stripped.strip() else text


@dataclass
class _Heading:
    numeral: str
    title: str
    letter: bool


@dataclass
class LayoutResult:
    """Areas with their items, the plan's title candidates and layout warnings."""

    areas: list[ParsedArea] = field(default_factory=list)
    title_lines: list[str] = field(default_factory=list)
    head_lines: list[str] = field(default_factory=list)  # every line above the plan table (for its identity)
    warnings: list[str] = field(default_factory=list)
    columns: ColumnMap | None = None


class _Grouper:
    """Feeds plan rows one by one and builds areas and items."""

    def __init__(self) -> None:
        self.result = LayoutResult()
        self.area: ParsedArea | None = None
        self.parent: ParsedArea | None = None
        self.item: ParsedItem | None = None
        self.last_title = ""
        self.last_objective = ""
        self.row_number = 0
        self.orphans: list[int] = []

    # -- headings ---------------------------------------------------------------------------
    def heading(self, row: Row, columns: ColumnMap | None) -> _Heading | None:
        """Return the area heading a row (or a paragraph, ``columns`` None) writes, or None."""
        texts = row.texts()
        if not texts:
            return None
        tt_index = columns.roles.get("tt") if columns else None
        tt = row.own(tt_index).split("\n")[0].strip() if tt_index is not None else ""
        numeral = tt.rstrip(".:)").strip()
        if numeral and (roman_value(numeral) or re.fullmatch(r"[A-H]", numeral)):
            title = next((t for i, t in texts if i != tt_index), "")
            title = _strip_numeral(collapse(title), numeral)
            if roman_value(numeral) or title:
                return _Heading(numeral, title, not roman_value(numeral))
        distinct = list(dict.fromkeys(t for _, t in texts))
        if len(distinct) != 1:
            return None
        first_column = texts[0][0]
        limit = max([1] + [columns.roles[r] for r in ("tt", "title", "objective") if columns and r in columns.roles])
        if first_column > limit:
            return None
        match = _HEADING.match(collapse(distinct[0]))
        if not match:
            return None
        numeral, sep, title = match.group("num"), match.group("sep"), match.group("title").strip()
        letter = not roman_value(numeral)
        if letter and not re.fullmatch(r"[A-H]", numeral):
            return None
        if not sep.strip() and not title[:1].isupper():
            return None
        if not re.search(r"[^\W\d_]{2}", title):
            return None
        return _Heading(numeral, title, letter)

    def open_area(self, heading: _Heading) -> None:
        """Start a new area (or a sub-area "VII.A" under the current Roman-numbered area)."""
        self.item = None
        self.last_title = self.last_objective = ""
        if heading.letter and self.parent is not None:
            numeral = f"{self.parent.numeral}.{heading.numeral}"
            self.parent.has_subareas = True
        else:
            numeral = heading.numeral
        current = self.area
        if current is not None and current.numeral == numeral and words(current.title) == words(heading.title):
            return  # the same heading repeated at the top of a new page
        area = ParsedArea(numeral=numeral, title=heading.title)
        self.result.areas.append(area)
        self.area = area
        if not heading.letter or self.parent is None:
            self.parent = area

    # -- rows -------------------------------------------------------------------------------
    def feed(self, row: Row, columns: ColumnMap) -> None:
        """Take one table row: skip it, open an area, start an item or continue the current item."""
        self.row_number += 1
        texts = row.texts()
        if not texts or match_header(row) is not None or _is_column_numbers(texts) or header_cells_only(row):
            return
        heading = self.heading(row, columns)
        if heading is not None:
            self.open_area(heading)
            return
        number = _item_number(columns.get(row, "tt")) if "tt" in columns.roles else None
        if number is None and "tt" not in columns.roles:
            number = _leading_number(columns.get(row, "title") or columns.get(row, "objective"))
        if number is not None:
            self.start_item(number, row, columns)
        elif self.item is not None:
            self.continue_item(row, columns)
        else:
            self.orphans.append(self.row_number)

    def feed_paragraph(self, text: str) -> None:
        """Take a paragraph between two plan tables: only an area heading counts."""
        heading = self.heading(Row([text]), None)
        if heading is not None:
            self.open_area(heading)

    def start_item(self, number: str, row: Row, columns: ColumnMap) -> None:
        """Start a numbered item; an empty task/objective cell takes the text of the item above."""
        if self.area is None:
            self.area = ParsedArea(numeral="", title="")
            self.result.areas.append(self.area)
            self.parent = None
        raw_activity = columns.get(row, "activity")
        shifted = bool(raw_activity) and _TASK_LABEL.match(raw_activity) is not None
        if ("activity" in columns.roles and self.item is not None and self.item in self.area.items
                and not columns.get(row, "title") and not columns.get(row, "objective") and raw_activity
                and not shifted):
            self.item.activities.append(self.activity_of(number, row, columns))
            return
        item = ParsedItem(number=number, row=self.row_number)
        for role in FIELDS:
            text = columns.get(row, role)
            setattr(item, role, strip_label(text) if role in ("title", "activity") else text)
        if shifted:
            item.problems.append(f"Ô Hoạt động ghi nhãn nhiệm vụ ('{collapse(raw_activity)[:60]}'): các ô của dòng "
                                 f"có thể bị lệch một cột.")
        if "activity" in columns.roles and item.activity:
            item.activities.append(self.activity_of(number, row, columns))
        if item.title:
            self.last_title = item.title
        else:
            item.title = self.last_title
        if item.objective:
            self.last_objective = item.objective
        else:
            item.objective = self.last_objective
        self.area.items.append(item)
        self.item = item

    def activity_of(self, number: str, row: Row, columns: ColumnMap) -> ParsedActivity:
        """Return the activity a numbered row writes (its Hoạt động, product, agencies and deadline)."""
        activity = ParsedActivity(number=number, row=self.row_number)
        for role in _ACTIVITY_ROLES:
            text = columns.get(row, role)
            setattr(activity, "text" if role == "activity" else role, strip_label(text) if role == "activity" else text)
        return activity

    def continue_item(self, row: Row, columns: ColumnMap) -> None:
        """Append an unnumbered row's cells to the current item (and to its last activity)."""
        assert self.item is not None
        last = self.item.activities[-1] if self.item.activities else None
        for role in FIELDS:
            text = columns.get(row, role)
            if not text:
                continue
            if role in ("title", "activity"):
                text = strip_label(text)
            _append(self.item, role, text)
            if last is not None and role in _ACTIVITY_ROLES:
                _append(last, "text" if role == "activity" else role, text)


def _append(target: object, attribute: str, text: str) -> None:
    """Append a continuation row's text to one field (a repeated agency or deadline line is not added)."""
    current = getattr(target, attribute)
    if attribute in ("product", "lead", "coord", "deadline", "budget") and text in current.split("\n"):
        return
    if not current:
        joined = text
    elif text[:1].islower():
        joined = f"{current} {text}"
    else:
        joined = f"{current}\n{text}"
    setattr(target, attribute, joined)


def merge_activities(item: ParsedItem) -> None:
    """Give an item of several activities the union of their columns: one line per activity, agencies once."""
    if len(item.activities) < 2:
        return
    item.activity = "\n".join(a.text.strip() for a in item.activities if a.text.strip())
    for role in ("product", "lead", "coord"):
        lines: list[str] = []
        for activity in item.activities:
            for line in getattr(activity, role).split("\n"):
                if line.strip() and line.strip() not in lines:
                    lines.append(line.strip())
        setattr(item, role, "\n".join(lines))
    deadlines = [a.deadline for a in item.activities if a.deadline]
    item.deadline = deadlines[-1] if deadlines else item.deadline


def _strip_numeral(title: str, numeral: str) -> str:
    match = _HEADING.match(title)
    if match and match.group("num") == numeral:
        return match.group("title").strip()
    return title


def _item_number(text: str) -> str | None:
    first = text.split("\n")[0].strip() if text else ""
    return first if first and _ITEM_NUMBER.fullmatch(first) else None


def _leading_number(text: str) -> str | None:
    match = _LEADING_NUMBER.match(text or "")
    return match.group(1) if match else None


def _is_column_numbers(texts: list[tuple[int, str]]) -> bool:
    if len(texts) < 3 or not all(_COLUMN_NUMBER.fullmatch(t) for _, t in texts):
        return False
    values = [int(t.strip("()")) for _, t in texts]
    return values == list(range(values[0], values[0] + len(values)))


def _header_index(block: Block) -> tuple[int, ColumnMap] | None:
    """Return the index of the last header row of the block's first header and its column map."""
    for index, row in enumerate(block.rows):
        columns = match_header(row)
        if columns is not None:
            while index + 1 < len(block.rows):
                extended = extend_header(columns, block.rows[index + 1])
                if extended is None:
                    break
                index, columns = index + 1, extended
            return index, columns
    return None


def group_rows(blocks: list[Block]) -> LayoutResult:
    """Find the plan table in ``blocks`` and group its rows into areas and numbered items."""
    grouper = _Grouper()
    result = grouper.result
    columns: ColumnMap | None = None
    before: list[str] = []
    pending: list[str] = []
    for block in blocks:
        if block.kind == "para":
            (pending if columns is not None else before).append(block.text)
            continue
        if columns is None:
            found = _header_index(block)
            if found is None:
                continue
            index, columns = found
            result.columns = columns
            above = [collapse(" ".join(t for _, t in r.texts())) for r in block.rows[:index] if r.texts()]
            result.title_lines = before[-6:] + above
            result.head_lines = before + above
            for row in block.rows[index + 1:]:
                grouper.feed(row, columns)
            continue
        if not block.continuable:
            break
        found = _header_index(block) if block.rows else None
        if found is not None and found[0] < 3:
            start, columns = found[0] + 1, found[1]
        elif block.width == columns.width:
            start = 0
        else:
            if any(_item_number(r.own(columns.roles.get("tt", 0))) for r in block.rows):
                result.warnings.append(f"Bỏ qua {block.name} sau bảng kế hoạch vì có {block.width} cột "
                                       f"(bảng kế hoạch có {columns.width} cột).")
            break
        for text in pending:
            grouper.feed_paragraph(text)
        pending = []
        for row in block.rows[start:]:
            grouper.feed(row, columns)
    for area in result.areas:
        for item in area.items:
            merge_activities(item)
    if grouper.orphans:
        rows = ", ".join(str(n) for n in grouper.orphans[:10]) + (" …" if len(grouper.orphans) > 10 else "")
        result.warnings.append(f"Bỏ qua {len(grouper.orphans)} dòng không thuộc nhiệm vụ nào (dòng {rows} của bảng).")
    return result
