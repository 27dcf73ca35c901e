"""Bulk entry of indicator values from a spreadsheet: the XLSX template, reading and checking an upload, applying it.

**The template** (openpyxl) has one visible sheet, "Số liệu": a header block naming the unit (code and
name) and the period (key and label, and the period it shares its record with), the note that values
are year to date; then a table with one row per unit (the unit and the current units below it) and one
column per indicator the actor may enter for at least one of them (name and unit of measure visible, the
code in a hidden row), pre-filled with the stored values. A cell the actor may not enter is grey.

A very hidden sheet, "_reportsvc", holds the unit's code, the period and its record key, the columns,
and for every pre-filled cell the stored value and its version at download, with a SHA-256 checksum
over all of it. A template of another unit or period is refused from these, even when the visible
header was edited, and a hidden sheet edited by hand is refused by its checksum. The checksum guards
against mistakes, not forgery: whatever the file says, every value is written through
reportsvc.services.recording.record_indicator_value with the actor's own permissions and scope.

**Reading an upload** (``check_sheet``) stores nothing. Rows are found by the unit code in column A
(so sorting the rows is harmless), columns by the hidden code row. Numbers may be numbers or text
written the Vietnamese way ("1.234,5", "94,5%"); a cell formatted as a percentage (Excel turns "94,5%"
into 0,945) counts as 94,5. An empty cell leaves the stored value as it is (the sheet never deletes a
value), and so does a cell that still holds the value it had at download. Each error names its cell;
a unit that is not the template's unit or below it is refused; every error is listed.

**Optimistic locking**: the versions at download are in the hidden sheet. A cell the file changes must
still have that version: if someone changed the value since (on the web, through the API, with another
sheet), the cell is refused as a conflict naming who changed it and when, and nothing is saved; the
user downloads a new template (or leaves that cell as it was). A cell left as downloaded never
overwrites what was typed on the web meanwhile.

**Applying** (``apply_sheet``) is all or nothing in the caller's transaction: nothing is written when
any error was found, and each value goes through record_indicator_value (permission, validation, the
lock on approved data, the audit entry per value); one ``indicator.sheet`` entry records the file.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.areas.declarations import IndicatorSpec
from reportsvc.config import Settings
from reportsvc.db.lookup import find_unit
from reportsvc.db.models import IndicatorValue, Unit
from reportsvc.db.tenancy import scope_of
from reportsvc.db.unitsettings import settings_of
from reportsvc.errors import Forbidden, Invalid, Locked, NotFound
from reportsvc.hooks.registry import PluginRegistry
from reportsvc.hooks.validation import validate_indicator_value
from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.safety import OLE_MAGIC, ZIP_MAGIC, check_size, check_zip, detect_kind, display_name
from reportsvc.periods import Period
from reportsvc.services import audit, submissions
from reportsvc.services.downloads import Download
from reportsvc.services.permissions import Actor, editable_indicators, require_writer
from reportsvc.services.recording import check_open, record_indicator_value
from reportsvc.services.runtime import Services
from reportsvc.vn import format as fmt
from reportsvc.vn import numbers
from reportsvc.vn.dates import local_time
from reportsvc.vn.text import nfc

__all__ = ["Change", "SheetCheck", "apply_sheet", "build_template", "check_sheet", "import_sheet", "period_text",
           "shown"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_TITLE = "Số liệu"
META_TITLE = "_reportsvc"
MAGIC = "reportsvc:value-sheet"
FORMAT_VERSION = "1"
META_FIELDS = ("unit", "period", "record", "issued_by", "issued_at", "columns")
"""The hidden sheet's header rows (A: name, B: value) after the magic row, then ``checksum``, then the cells."""
CELLS_HEADER = ("unit", "indicator", "version", "value")

# The visible sheet's layout (1-based rows and columns).
ROW_TITLE, ROW_UNIT, ROW_PERIOD, ROW_NOTE, ROW_HOW = 1, 2, 3, 4, 5
NAMES_ROW = 6
CODES_ROW = 7  # hidden: A holds CODE_MARK, the indicator columns their codes
FIRST_ROW = 8
FIRST_COL = 3  # column C: the first indicator
CODE_MARK = "ma_don_vi"

MAX_DATA_ROWS = 20_000
"""More rows than this (empty ones aside) and the file is refused: no province has that many units."""
MAX_EMPTY_ROWS = 1000
"""Consecutive empty rows after which the rest of a sheet is not read (formatting down to row 1 048 576)."""
MAX_EXTRA_COLUMNS = 20
"""Columns read past the template's own, to notice values typed where no indicator is."""
MAX_META_ROWS = 500_000
DIGITS = 9
"""Numbers read from a cell are rounded to this many decimals (0,1 + 0,2 typed as a formula is 0,3)."""

_GREY = "D9D9D9"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ---------------------------------------------------------------- shared helpers

def period_text(period: Period) -> str:
    """Return the period as the template names it: "2024-Q2 — Quý II/2024 (dùng chung cho 6 tháng 2024)"."""
    others = [p.short_label for p in period.serves() if p != period]
    text = f"{period.key} — {period.short_label}"
    return text + (f" (dùng chung cho {', '.join(others)})" if others else "")


def shown(value: float | None, measure: str) -> str:
    """Return a value with its unit of measure the Vietnamese way ("94,5%", "1.234 hồ sơ"); "—" for none."""
    if value is None:
        return "—"
    return fmt.number(value, 4) + "%" if measure == "%" else f"{fmt.number(value, 4)} {measure}".strip()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _writable_unit(session: Session, code: str) -> Unit:
    """Return the unit ``code`` if the session's actor may write its data (NotFound/Forbidden otherwise)."""
    unit = find_unit(session, code)
    scope = scope_of(session)
    if scope is not None and unit.id not in scope.unit_ids:
        raise Forbidden(f"{unit.name} ({unit.code}) nằm ngoài phạm vi tài khoản '{scope.actor}': chỉ nhập được số liệu "
                        f"của đơn vị mình và các đơn vị trực thuộc.")
    return unit


def _window(unit: Unit, period: Period) -> tuple[date, date]:
    return period.window(settings_of(unit).cutoff)


def _current(unit: Unit, start: date, end: date) -> bool:
    """Return True when the unit existed during some of the window (it takes data for the period)."""
    return (unit.valid_from is None or unit.valid_from <= end) and (unit.valid_to is None or unit.valid_to >= start)


def _units_of(top: Unit, period: Period) -> list[tuple[Unit, int]]:
    """Return the unit and the current units below it, depth-first by code, with their depth."""
    check_open(top, period.key)  # a unit merged away before the period takes no data (Invalid)
    start, end = _window(top, period)
    found: list[tuple[Unit, int]] = []

    def walk(unit: Unit, depth: int) -> None:
        shown_depth = depth
        if _current(unit, start, end):
            found.append((unit, depth))
            shown_depth = depth + 1
        for child in unit.children:
            walk(child, shown_depth)

    found.append((top, 0))
    for child in top.children:
        walk(child, 1)
    return found


def _stored(session: Session, units: list[Unit], period: Period) -> dict[tuple[int, str], IndicatorValue]:
    """Return the stored values of the units for the period's record, by (unit id, code)."""
    ids = [unit.id for unit in units]
    rows = session.scalars(select(IndicatorValue).where(IndicatorValue.unit_id.in_(ids),
                                                        IndicatorValue.period_key == period.record_key))
    return {(row.unit_id, row.code): row for row in rows}


def _number_text(value: float) -> str:
    """Return a stored number as the hidden sheet keeps it (text, exact: repr of the float)."""
    return repr(float(value))


def _checksum(fields: dict[str, str], cells: list[tuple[str, str, str, str]]) -> str:
    """Return the SHA-256 of the hidden sheet's fields and cells (a canonical JSON text)."""
    text = json.dumps([MAGIC, FORMAT_VERSION, [fields.get(name, "") for name in META_FIELDS], cells],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- the template

def _put_text(ws: Any, row: int, column: int, text: str) -> Any:
    """Write ``text`` as text (never a formula, even when it starts with "="), without control characters."""
    cell = ws.cell(row=row, column=column)
    cell.value = _CONTROL.sub(" ", text)
    cell.data_type = "s"
    return cell


def build_template(session: Session, registry: PluginRegistry, actor: Actor, unit_code: str, period: Period,
                   now: datetime | None = None) -> Download:
    """Return the XLSX template of ``unit_code`` and the units below it for ``period`` (Forbidden if nothing to enter)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    require_writer(actor)
    top = _writable_unit(session, unit_code)
    units = _units_of(top, period)
    editable = {unit.id: editable_indicators(session, registry, actor, unit, period.year) for unit, _ in units}
    wanted = set().union(*editable.values())
    columns = [spec for area in registry.areas for spec in registry.indicators_of(area.code) if spec.code in wanted]
    if not columns:
        raise Forbidden(f"Tài khoản '{actor.username}' không được nhập chỉ tiêu nào của {top.name} và các đơn vị "
                        f"trực thuộc trong kỳ {period.short_label}, nên không có mẫu để tải.")
    stored = _stored(session, [unit for unit, _ in units], period)
    moment = now or datetime.now(timezone.utc)
    start, end = Period(period.year, "Y").window(settings_of(top).cutoff)[0], _window(top, period)[1]

    workbook = Workbook()
    ws = workbook.active
    ws.title = SHEET_TITLE
    bold, grey = Font(bold=True), PatternFill("solid", fgColor=_GREY)
    _put_text(ws, ROW_TITLE, 1, "MẪU NHẬP SỐ LIỆU CHỈ TIÊU CẢI CÁCH HÀNH CHÍNH").font = Font(bold=True, size=13)
    _put_text(ws, ROW_UNIT, 1, f"Đơn vị: {top.code} — {top.name}").font = bold
    _put_text(ws, ROW_PERIOD, 1, f"Kỳ: {period_text(period)}").font = bold
    _put_text(ws, ROW_NOTE, 1, f"Số liệu lũy kế từ đầu năm đến hết kỳ (từ ngày {start:%d/%m/%Y} đến ngày "
                               f"{end:%d/%m/%Y}), không phải số liệu riêng của kỳ. Số viết kiểu Việt Nam "
                               f"(1.234,5; 94,5%) hoặc nhập dạng số.")
    _put_text(ws, ROW_HOW, 1, f"Ô để trống: giữ nguyên số liệu đã lưu (không xóa). Ô màu xám: tài khoản "
                              f"{actor.username} không được nhập. Không sửa mã đơn vị ở cột A. Mẫu tải lúc "
                              f"{local_time(moment)}: ô nào được sửa trên hệ thống sau lúc đó sẽ bị từ chối khi "
                              f"nhập (hãy tải mẫu mới).")
    for column, title in ((1, "Mã đơn vị"), (2, "Đơn vị")):
        _put_text(ws, NAMES_ROW, column, title).font = bold
    _put_text(ws, CODES_ROW, 1, CODE_MARK)
    for index, spec in enumerate(columns):
        column = FIRST_COL + index
        header = _put_text(ws, NAMES_ROW, column, f"{spec.name} (đơn vị tính: {spec.unit})")
        header.font, header.alignment = bold, Alignment(wrap_text=True, vertical="top")
        _put_text(ws, CODES_ROW, column, spec.code)
        ws.column_dimensions[_column_letter(column)].width = 22
    ws.row_dimensions[CODES_ROW].hidden = True
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 36

    cells: list[tuple[str, str, str, str]] = []
    for offset, (unit, depth) in enumerate(units):
        row = FIRST_ROW + offset
        _put_text(ws, row, 1, unit.code)
        _put_text(ws, row, 2, "    " * depth + unit.name)
        for index, spec in enumerate(columns):
            cell = ws.cell(row=row, column=FIRST_COL + index)
            value = stored.get((unit.id, spec.code))
            if value is not None:
                cell.value = float(value.value) if not float(value.value).is_integer() else int(value.value)
                cells.append((unit.code, spec.code, str(value.version), _number_text(value.value)))
            if spec.code not in editable[unit.id]:
                cell.fill = grey
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=FIRST_COL)

    fields = {"unit": top.code, "period": period.key, "record": period.record_key, "issued_by": actor.username,
              "issued_at": moment.isoformat(timespec="seconds"), "columns": " ".join(s.code for s in columns)}
    meta = workbook.create_sheet(META_TITLE)
    meta.sheet_state = "veryHidden"
    _put_text(meta, 1, 1, MAGIC)
    _put_text(meta, 1, 2, FORMAT_VERSION)
    for row, name in enumerate(META_FIELDS, start=2):
        _put_text(meta, row, 1, name)
        _put_text(meta, row, 2, fields[name])
    checksum_row = 2 + len(META_FIELDS)
    _put_text(meta, checksum_row, 1, "checksum")
    _put_text(meta, checksum_row, 2, _checksum(fields, cells))
    for column, name in enumerate(CELLS_HEADER, start=1):
        _put_text(meta, checksum_row + 1, column, name)
    for row, entry in enumerate(cells, start=checksum_row + 2):
        for column, text in enumerate(entry, start=1):
            _put_text(meta, row, column, text)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return Download(f"mau_so_lieu_{top.code}_{period.key}.xlsx", XLSX_MEDIA_TYPE, buffer.getvalue())


# ---------------------------------------------------------------- reading an upload

@dataclass(frozen=True)
class Change:
    """One value the file changes: its cell, unit, indicator, the stored value (None: none yet) and the new one."""

    cell: str
    unit_id: int
    unit_code: str
    unit_name: str
    code: str
    name: str
    measure: str
    old: float | None
    new: float
    version: int  # the stored version the write expects (0: no value yet)
    note: str  # the stored note, kept

    @property
    def old_text(self) -> str:
        """Return the stored value as shown ("—" when there is none)."""
        return shown(self.old, self.measure)

    @property
    def new_text(self) -> str:
        """Return the new value as shown."""
        return shown(self.new, self.measure)


@dataclass
class SheetCheck:
    """What an uploaded template would change, and every reason it cannot be saved (nothing stored yet)."""

    filename: str
    sha256: str
    unit_code: str
    unit_name: str
    period: Period
    issued_by: str
    issued_at: str
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)  # the Locked messages among ``errors``
    unchanged: int = 0  # filled cells that change nothing
    units: dict[int, Unit] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """Return True when the file can be saved."""
        return not self.errors

    def refuse(self) -> None:
        """Raise when anything is wrong: Locked when every error is a lock on approved data, else Invalid listing all."""
        if not self.errors:
            return
        if self.locked and len(self.locked) == len(self.errors):
            raise Locked(" ".join(self.locked))
        raise Invalid([f"Không lưu số liệu nào từ tệp '{self.filename}' vì có {len(self.errors)} lỗi:", *self.errors])


def _safe_xlsx(data: bytes, filename: str, settings: Settings) -> None:
    """Refuse an empty or oversized file, anything that is not an XLSX, a zip bomb or XML with a DTD (Invalid)."""
    name = display_name(filename)
    try:
        check_size(len(data), filename, settings.max_upload_mb)
        if data.startswith(OLE_MAGIC):
            detect_kind(data, filename)  # password-protected or an old .xls: its own message
        if not data.startswith(ZIP_MAGIC):
            raise Invalid([f"Tệp '{name}' không phải bảng tính Excel (.xlsx). Hãy tải mẫu nhập số liệu từ hệ thống, "
                           f"điền vào rồi lưu dưới dạng .xlsx."])
        kind = check_zip(data, filename, settings.max_unzipped_mb)
    except PlanImportError as exc:
        raise Invalid([str(exc)]) from None
    if kind != "xlsx":
        raise Invalid([f"Tệp '{name}' không phải bảng tính Excel (.xlsx) mà là tài liệu Word. Hãy dùng mẫu nhập số "
                       f"liệu tải từ hệ thống."])


def _text_of(value: Any) -> str:
    """Return a metadata or code cell's value as text ("" for empty; whole numbers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


@dataclass
class _Meta:
    fields: dict[str, str]
    cells: dict[tuple[str, str], tuple[int, float | None]]

    @property
    def columns(self) -> list[str]:
        return self.fields.get("columns", "").split()


def _read_meta(workbook: Any, name: str) -> _Meta:
    """Return the hidden sheet's fields and cells after checking its checksum (Invalid otherwise)."""
    missing = Invalid([f"Tệp '{name}' không phải mẫu nhập số liệu của hệ thống (thiếu phần dữ liệu ẩn của mẫu). "
                       f"Hãy tải mẫu nhập số liệu của đơn vị và kỳ, điền vào đó rồi tải lên."])
    if META_TITLE not in workbook.sheetnames:
        raise missing
    rows = workbook[META_TITLE].iter_rows(max_col=len(CELLS_HEADER), values_only=True)
    first = next(rows, None)
    if first is None or _text_of(first[0]) != MAGIC:
        raise missing
    if _text_of(first[1] if len(first) > 1 else None) != FORMAT_VERSION:
        raise Invalid([f"Tệp '{name}' là mẫu nhập số liệu của một phiên bản khác; hãy tải mẫu mới."])
    tampered = Invalid([f"Phần dữ liệu ẩn của tệp mẫu '{name}' đã bị sửa (mã kiểm tra không khớp), nên không biết "
                        f"tệp thuộc đơn vị và kỳ nào. Hãy tải mẫu mới."])
    fields: dict[str, str] = {}
    for expected in (*META_FIELDS, "checksum"):
        row = next(rows, None)
        if row is None or _text_of(row[0]) != expected:
            raise tampered
        fields[expected] = _text_of(row[1] if len(row) > 1 else None)
    header = next(rows, None)
    if header is None or tuple(_text_of(v) for v in header[:len(CELLS_HEADER)]) != CELLS_HEADER:
        raise tampered
    entries: list[tuple[str, str, str, str]] = []
    for count, row in enumerate(rows):
        texts = tuple(_text_of(v) for v in (*row, None, None, None, None)[:len(CELLS_HEADER)])
        if not any(texts):
            break
        if count >= MAX_META_ROWS:
            raise tampered
        entries.append(texts)  # type: ignore[arg-type]
    if _checksum(fields, entries) != fields["checksum"]:
        raise tampered
    cells: dict[tuple[str, str], tuple[int, float | None]] = {}
    try:
        for unit, code, version, value in entries:
            cells[(unit, code)] = (int(version), float(value) if value else None)
    except ValueError:
        raise tampered from None
    return _Meta(fields, cells)


def _scaled(value: float, number_format: str | None) -> float:
    """Return a cell's number in the indicator's units: a cell formatted as a percentage holds a fraction."""
    if number_format and "%" in number_format:
        value *= 100
    return round(value, DIGITS)


def _cell_number(value: Any, number_format: str | None, label: str) -> tuple[float | None, str | None]:
    """Return (number, None) for a cell's value, or (None, the error naming the cell)."""
    if isinstance(value, bool):
        return None, f"{label}: '{'TRUE' if value else 'FALSE'}' không phải là số."
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"{label}: giá trị phải là một số hữu hạn."
        try:
            numbers.check_magnitude(value)
        except numbers.NumberError as exc:
            return None, f"{label}: {exc}."
        return _scaled(float(value), number_format), None
    if isinstance(value, (datetime, date)):
        return None, f"{label}: ô chứa ngày tháng ({value:%d/%m/%Y}), không phải là số."
    text = nfc(str(value))
    shown_text = text if len(text) <= 50 else text[:50] + "…"
    try:
        return round(numbers.parse_number(text), DIGITS), None
    except numbers.NumberError as exc:
        if not any(ch.isdigit() for ch in text):
            return None, f"{label}: '{shown_text}' không phải là số."
        return None, f"{label}: {str(exc).replace(text, shown_text)}."


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def _rows(ws: Any, width: int) -> Iterator[tuple[int, list[Any]]]:
    """Yield (row number, cells) of the data rows, stopping after a long run of empty rows."""
    empty = 0
    for number, cells in enumerate(ws.iter_rows(min_row=FIRST_ROW, max_col=width), start=FIRST_ROW):
        cells = list(cells) + [None] * (width - len(cells))
        if all(_value(c) is None for c in cells):
            empty += 1
            if empty > MAX_EMPTY_ROWS:
                return
            continue
        empty = 0
        yield number, cells


def _value(cell: Any) -> Any:
    value = getattr(cell, "value", None) if cell is not None else None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def check_sheet(session: Session, registry: PluginRegistry, settings: Settings, actor: Actor, data: bytes,
                filename: str, period: Period, unit_code: str | None = None) -> SheetCheck:
    """Read an uploaded template and return what it would change and every error, storing nothing.

    Raises Invalid when the file as a whole cannot be used (not an XLSX, not a template, a template of
    another unit or period, edited hidden data), NotFound/Forbidden for a unit out of reach.
    """
    import openpyxl

    require_writer(actor)
    name = display_name(filename)
    _safe_xlsx(data, filename, settings)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure on a checked file means a damaged file
        raise Invalid([f"Không đọc được tệp Excel '{name}': tệp bị hỏng hoặc có cấu trúc không hợp lệ."]) from None
    try:
        return _check(session, registry, actor, workbook, data, name, period, unit_code)
    except (Invalid, NotFound, Forbidden):
        raise
    except Exception:  # noqa: BLE001 - a malformed part found while reading the sheet
        raise Invalid([f"Không đọc được tệp Excel '{name}': tệp bị hỏng hoặc có cấu trúc không hợp lệ."]) from None
    finally:
        workbook.close()


def _check(session: Session, registry: PluginRegistry, actor: Actor, workbook: Any, data: bytes, name: str,
           period: Period, unit_code: str | None) -> SheetCheck:
    meta = _read_meta(workbook, name)
    template_unit = meta.fields["unit"]
    if unit_code is not None and template_unit != unit_code:
        raise Invalid([f"Tệp '{name}' là mẫu của đơn vị {_unit_label(session, template_unit)}, không phải của "
                       f"{_unit_label(session, unit_code)}. Hãy tải mẫu của đúng đơn vị."])
    if meta.fields["record"] != period.record_key:
        raise Invalid([f"Tệp '{name}' là mẫu của kỳ {meta.fields['period']}, không phải kỳ {period_text(period)}. "
                       f"Hãy tải mẫu của đúng kỳ."])
    top = _writable_unit(session, template_unit)
    units = _units_of(top, period)
    allowed = {unit.code: unit for unit, _ in units}
    check = SheetCheck(name, hashlib.sha256(data).hexdigest(), top.code, top.name, period,
                       meta.fields["issued_by"], meta.fields["issued_at"],
                       units={unit.id: unit for unit, _ in units})

    sheets = [ws for ws in workbook.worksheets if ws.title != META_TITLE]
    if not sheets:
        raise Invalid([f"Tệp '{name}' không còn trang tính số liệu."])
    ws = sheets[0]
    width = FIRST_COL + len(meta.columns) + MAX_EXTRA_COLUMNS
    code_row = next(ws.iter_rows(min_row=CODES_ROW, max_row=CODES_ROW, max_col=width, values_only=True), ())
    if not code_row or _text_of(code_row[0]) != CODE_MARK:
        raise Invalid([f"Tệp '{name}' không đúng bố cục của mẫu (dòng mã chỉ tiêu ẩn ở dòng {CODES_ROW} đã bị xóa "
                       f"hoặc dời chỗ). Hãy tải mẫu mới và điền lại."])
    known = set(meta.columns)
    columns: dict[int, str] = {}
    for index, value in enumerate(code_row[FIRST_COL - 1:], start=FIRST_COL):
        code = _text_of(value)
        if not code:
            continue
        if code not in known:
            check.errors.append(f"Cột {_column_letter(index)}: mã chỉ tiêu '{code[:50]}' không có trong mẫu đã tải.")
        elif code in columns.values():
            check.errors.append(f"Cột {_column_letter(index)}: chỉ tiêu '{code}' có hai cột.")
        else:
            columns[index] = code

    editable: dict[int, set[str]] = {}
    stored = _stored(session, list(check.units.values()), period)
    seen: dict[str, int] = {}
    locks: dict[tuple[int, int | None], str | None] = {}
    count = 0
    for row, cells in _rows(ws, width):
        count += 1
        if count > MAX_DATA_ROWS:
            raise Invalid([f"Tệp '{name}' có hơn {MAX_DATA_ROWS} dòng số liệu; đã từ chối."])
        code = _text_of(_value(cells[0]))
        filled = [(index, _value(cells[index - 1])) for index in range(FIRST_COL, width + 1)
                  if _value(cells[index - 1]) is not None]
        if not code:
            if filled:
                check.errors.append(f"Dòng {row}: thiếu mã đơn vị ở cột A nên không biết số liệu thuộc đơn vị nào.")
            continue
        unit = allowed.get(code)
        if unit is None:
            check.errors.append(_foreign_unit(session, code, row, top, period))
            continue
        if code in seen:
            check.errors.append(f"Dòng {row}: đơn vị {unit.name} ({code}) đã có ở dòng {seen[code]}.")
            continue
        seen[code] = row
        for index, value in filled:
            ref = f"{_column_letter(index)}{row}"
            indicator = columns.get(index)
            if indicator is None:
                check.errors.append(f"Ô {ref} ({unit.name}): cột {_column_letter(index)} không phải cột chỉ tiêu của "
                                    f"mẫu (không có mã chỉ tiêu); hãy xóa số liệu ở ô này.")
                continue
            spec = registry.indicators.get(indicator)
            label = f"Ô {ref} ({unit.name}, {spec.name if spec else indicator})"
            number, error = _cell_number(value, getattr(cells[index - 1], "number_format", None), label)
            if error:
                check.errors.append(error)
                continue
            assert number is not None
            down_version, down_value = meta.cells.get((code, indicator), (0, None))
            if _same(number, down_value):
                check.unchanged += 1
                continue
            current = stored.get((unit.id, indicator))
            if current is not None and _same(number, current.value):
                check.unchanged += 1
                continue
            if spec is None:
                check.errors.append(f"{label}: không có chỉ tiêu mã '{indicator}' (chưa được plugin nào khai báo "
                                    f"hoặc plugin đã tắt).")
                continue
            if unit.id not in editable:
                editable[unit.id] = editable_indicators(session, registry, actor, unit, period.year)
            if indicator not in editable[unit.id]:
                check.errors.append(f"{label}: tài khoản '{actor.username}' không được nhập chỉ tiêu này cho "
                                    f"{unit.name}.")
                continue
            if (current.version if current is not None else 0) != down_version:
                check.errors.append(_conflict(label, current, spec))
                continue
            problems = validate_indicator_value(registry, spec, number, unit.code, period.key)
            if problems:
                check.errors.extend(f"Ô {ref} ({unit.name}): {problem}" for problem in problems)
                continue
            agency_id = actor.agency_id if actor.role == "editor" or current is None else current.agency_id
            if (unit.id, agency_id) not in locks:
                try:
                    submissions.check_unlocked(session, unit, agency_id, period.key)
                    locks[(unit.id, agency_id)] = None
                except Locked as exc:
                    locks[(unit.id, agency_id)] = str(exc)
                    check.errors.append(str(exc))
                    check.locked.append(str(exc))
            if locks[(unit.id, agency_id)] is not None:
                continue
            check.changes.append(Change(ref, unit.id, unit.code, unit.name, indicator, spec.name, spec.unit,
                                        current.value if current is not None else None, number,
                                        current.version if current is not None else 0,
                                        current.note if current is not None else ""))
    return check


def _unit_label(session: Session, code: str) -> str:
    """Return "tỉnh Hà Tĩnh (HT)" for a unit the session sees, else the code alone."""
    unit = session.scalar(select(Unit).where(Unit.code == code))
    return f"{unit.name} ({unit.code})" if unit is not None else f"'{code}'"


def _foreign_unit(session: Session, code: str, row: int, top: Unit, period: Period) -> str:
    """Return why the unit ``code`` of a row is refused: unknown, outside the template's unit, or not current."""
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        return f"Dòng {row}: không có đơn vị mã '{code[:64]}' trong phạm vi tài khoản của bạn."
    node, under = unit.parent, False
    while node is not None and not under:
        under, node = node.id == top.id, node.parent
    if under:
        return (f"Dòng {row}: {unit.name} ({unit.code}) không còn hoạt động trong kỳ {period.short_label} "
                f"(đã sáp nhập hoặc chưa thành lập); không nhận số liệu của kỳ này.")
    return f"Dòng {row}: {unit.name} ({unit.code}) không thuộc {top.name} ({top.code}), đơn vị của tệp mẫu."


def _conflict(label: str, current: IndicatorValue | None, spec: IndicatorSpec) -> str:
    """Return the conflict of a cell changed by someone else since the template was downloaded."""
    if current is None:
        return f"{label}: số liệu này đã bị xóa sau khi tải mẫu. Hãy tải mẫu mới hoặc để nguyên ô này như lúc tải."
    when = f" lúc {local_time(current.updated_at)}" if current.updated_at is not None else ""
    return (f"{label}: số liệu đã được {current.updated_by or 'người khác'} sửa{when}, sau khi tải mẫu (đang lưu: "
            f"{shown(current.value, spec.unit)}). Hãy tải mẫu mới hoặc để nguyên ô này như lúc tải.")


# ---------------------------------------------------------------- applying

def apply_sheet(session: Session, registry: PluginRegistry, actor: Actor, check: SheetCheck) -> int:
    """Write every change of a checked file in the caller's transaction (all or nothing); return how many.

    Raises Invalid or Locked, writing nothing, when the check found any error; each value goes through
    record_indicator_value with the version read by the check, so a change made meanwhile is a Conflict.
    """
    check.refuse()
    for change in check.changes:
        record_indicator_value(session, registry, actor, check.units[change.unit_id], change.code, check.period.key,
                               change.new, change.note, change.version)
    if check.changes:
        top = next(unit for unit in check.units.values() if unit.code == check.unit_code)
        audit.record(session, actor.username, "indicator.sheet", "indicator_value", f"{check.unit_code}:"
                     f"{check.period.record_key}", None,
                     {"file": check.filename, "sha256": check.sha256, "period": check.period.key,
                      "values": len(check.changes), "issued_by": check.issued_by, "issued_at": check.issued_at},
                     unit_id=top.id)
    return len(check.changes)


def import_sheet(services: Services, actor: Actor, data: bytes, filename: str, period: Period,
                 unit_code: str | None = None, dry_run: bool = False) -> SheetCheck:
    """Check a file and, unless ``dry_run``, save its changes in one transaction; return the check.

    A dry run returns the check with its errors
    (the caller shows both); a real import raises Invalid/Locked/Conflict and saves nothing on any error.
    """
    if dry_run:
        with services.sessions() as session:
            return check_sheet(session, services.registry, services.settings, actor, data, filename, period,
                               unit_code)
    with services.transaction() as session:
        check = check_sheet(session, services.registry, services.settings, actor, data, filename, period, unit_code)
        apply_sheet(session, services.registry, actor, check)
        return check
