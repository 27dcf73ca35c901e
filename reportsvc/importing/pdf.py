"""Reading a PDF plan with a text layer (pdfplumber) into the blocks the DOCX/XLSX readers produce.

Only the pages' text and ruling lines are read: embedded files, scripts, forms and annotations
are never looked at. Before any page is read the file is refused when it is encrypted, has more
pages than ``max_pages``, or is truncated (no ``%%EOF`` near its end); parsing stops with an
error once ``seconds`` have passed (checked between pages and tables). Pages that are images
without text (a scan) are refused: nothing is imported from a plan that cannot be read exactly.

Tables are found from their ruling lines. Each table becomes a grid of cell texts:

- a cell spanning several columns (``None`` to its right in pdfplumber's grid) repeats its text,
  flagged in ``Row.copies``; a cell covered from above (a vertical merge) is empty;
- characters are grouped into words by their gaps measured in the font's size (``WORD_GAP``), so a
  small font without space glyphs does not run its words together;
- lines wrapped by the cell's width are joined with a space; a line that ended before the cell
  was full (the next word would have fit) ends a paragraph and is kept as a new line; a word the
  exporter had to break because it is wider than the cell ("PARI" | "NDEX") is joined back;
- a table continuing on the next page is joined to it, header rows repeated at the top of the
  page dropped, and a first row without TT whose text continues in lower case (a row split by the
  page break) merged into the last row of the page before.

Text outside tables becomes paragraphs, lines wrapped by the page width joined.
"""
from __future__ import annotations

import io
import re
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from reportsvc.importing.errors import PlanImportError
from reportsvc.importing.layout import match_header
from reportsvc.importing.readers import Block, Row, clean, pad

DEFAULT_MAX_PAGES = 300
DEFAULT_SECONDS = 60.0
SCAN_ADVICE = ("Hãy tải lên tệp gốc (.docx hoặc .xlsx) hoặc bản PDF xuất trực tiếp từ Word/Excel; "
               "nếu chỉ có bản giấy, hãy nhận dạng chữ (OCR) và kiểm tra lại trước khi nhập.")
_EOF_WINDOW = 2048
_LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
# Characters closer than this fraction of their font size belong to one word. Letters of a word touch
# (gaps within ±0.01 em in the exports measured) and a space is about 0.25–0.3 em, so 0.15 em keeps
# words apart even where no space glyph is written, at any size (pdfplumber's default of 3 pt is wider
# than a space below 11 pt).
WORD_GAP = 0.15
_BULLET = re.compile(r"^[-+•*–]")
_NO_SPACE_BEFORE = re.compile(r"^[,.;:)\]!?%]")
_TRAILING_EVIDENCE = 3  # space glyphs ending a line on a page: its exporter writes them at wrapped line ends
_BREAKS_AFTER = "-/–—"  # a line may wrap after these without a space ("2022-" | "2025", "08/2023/" | "QĐ-UBND")


@dataclass
class _Line:
    """One line of words: its text, left and right edges, top, and the widths of its first word and character."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    first_width: float
    space_after: bool | None = None  # a space glyph ends the line (None: the page has no space glyphs)
    first_char: float = 0.0  # width of the line's first character (0: unknown)
    space_width: float = 0.0  # width of a space glyph after the line's last word (0: unknown)
    trails: bool = False  # the page writes a space glyph at the end of lines wrapped at a space


def page_words(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group a page's characters into words (pdfplumber), gaps measured against the font size; each keeps its chars."""
    from pdfplumber.utils import extract_words

    return extract_words(chars, x_tolerance_ratio=WORD_GAP, keep_blank_chars=False, use_text_flow=False,
                         return_chars=True)


@dataclass
class _PageTable:
    """A table found on one page, as rows, which cells are covered by a cell above, and its page."""

    rows: list[Row]
    covered: list[list[bool]]
    cells: list[list["_Cell"]]
    page: int


def _lines(words: list[dict[str, Any]]) -> list[_Line]:
    """Group words (pdfplumber ``extract_words``) into lines, top to bottom, left to right."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) < _LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for group in lines:
        group.sort(key=lambda w: w["x0"])
        first = group[0]
        chars = first.get("chars") or []
        first_char = (chars[0]["x1"] - chars[0]["x0"] if chars
                      else (first["x1"] - first["x0"]) / max(1, len(first["text"])))
        out.append(_Line(" ".join(w["text"] for w in group), first["x0"], max(w["x1"] for w in group),
                         min(w["top"] for w in group), max(w["bottom"] for w in group),
                         first["x1"] - first["x0"], group[-1].get("space_after"), first_char,
                         group[-1].get("space_width", 0.0), bool(group[-1].get("trails"))))
    return out


def _space(line: _Line) -> float:
    """Return an estimate of a space's width in the line's font (a quarter of its height)."""
    return max(1.0, (line.bottom - line.top) * 0.25)


def _joiner(previous: _Line, line: _Line, width: float) -> str:
    """Return what joins a wrapped line to the next: nothing inside a word or before punctuation, else a space.

    A word is taken as broken by the cell's edge only when the exporter wrote no space glyph after the
    line (or, when a page has no space glyphs at all, the line is that one word and not one more letter
    fitted) and the two pieces look like one word: digits on both sides, or a syllable cut with one
    piece without a vowel ("Thườn" | "g", "tiêu/C" | "hỉ").

    A word wider than the cell is broken by the exporter where its next character no longer fits
    ("PARI" | "NDEX", "1.NHIỆ" | "M VỤ", "9001:" | "2015"). Exporters write the space glyph that ends a
    wrapped line when it fits on the line and drop it when it does not, so the missing glyph tells the
    cut only where a space would have fitted but the next character would not (a line of one piece, no
    glyph after it). Where not even a space fits ("UBND" | "cấp", "Thông" | "tin") nothing is told by it.
    """
    if _NO_SPACE_BEFORE.match(line.text):
        return ""  # "CSDLQG" | ", Cổng dịch vụ công"
    if previous.space_after:
        return " "
    last = previous.text.rsplit(" ", 1)[-1]
    if len(last) > 1 and last[-1] in "-/" and line.text[:1].isalnum():
        return ""  # "2022-" | "2025", "08/2023/" | "QĐ-UBND"
    going_on = line.text[:1].isupper() or line.text[:1].isdigit()
    if previous.space_after is False and re.search(r"\d/", last) and going_on:
        return ""  # a document number cut: "01/2023/T" | "T-VPCP", "29/2023/N" | "Đ-CP"
    if _cut_word(previous, line, width):
        return ""  # a word wider than the cell, broken where the next character did not fit
    first_char = line.first_char or line.first_width / max(1, len(line.text.split(" ", 1)[0]))
    full = previous.x1 - previous.x0 + first_char > width - 0.5
    if previous.space_after is False and re.search(r"&[^\W\d_]$", last) and line.text[:1].isupper():
        return ""  # an abbreviation cut after its "&" and one letter: "KH&C" | "N" (a part after "&" has two)
    alone = previous.space_after is False or (full and " " not in previous.text)
    head, tail = re.search(r"[^\W_]*$", previous.text).group(), re.match(r"[^\W_]*", line.text).group()
    if alone and _broken_word(head, tail):
        return ""
    return " "


def _space_fitted(previous: _Line, width: float) -> bool:
    """Return True when the line ends without the space glyph its exporter writes where a line wraps and it fits."""
    return (previous.trails and previous.space_after is False and previous.space_width > 0
            and previous.x1 - previous.x0 + previous.space_width <= width)


def _cut_word(previous: _Line, line: _Line, width: float) -> bool:
    """Return True when ``previous`` is one piece of a word wider than the cell and ``line`` goes on with it."""
    first_char = line.first_char or line.first_width / max(1, len(line.text.split(" ", 1)[0]))
    return (" " not in previous.text and _space_fitted(previous, width)
            and previous.x1 - previous.x0 + first_char > width - 0.5 and _one_word(previous.text, line.text))


def _one_word(head: str, text: str) -> bool:
    """Return True when a line's one word ``head`` and the next line's ``text`` can be pieces of one word.

    Not after sentence punctuation ("huyện." | "Kế"), not where lower case meets upper case
    ("huyện" | "Kế"), and a colon only inside a number ("9001:" | "2015").
    """
    tail = text[:1]
    if not head or not tail or not (tail.isalnum() or tail in ",.;:)%") or head[-1] in ".,;)!?":
        return False
    if head[-1] == ":":
        return head[-2:-1].isdigit() and tail.isdigit()
    return not (head[-1].islower() and tail.isupper())


def _has_vowel(text: str) -> bool:
    """Return True when the text has a Vietnamese vowel letter (any tone or shape)."""
    return any(unicodedata.normalize("NFD", ch)[0].lower() in "aeiouy" for ch in text)


def _broken_word(head: str, tail: str) -> bool:
    """Return True when ``head`` + ``tail`` look like one word cut in two (see ``_joiner``)."""
    if not head or not tail:
        return False
    if head[-1].isdigit() and tail[0].isdigit():
        return True  # "19/01/20" | "23"
    if not (head.isalpha() and tail.isalpha()) or (_has_vowel(head) and _has_vowel(tail)):
        return False
    if head.isupper() and tail.isupper():
        return False  # two abbreviations ("ISO" | "TCVN") cannot be told from one cut ("CBCC" | "VC")
    whole = head + tail
    if len(whole) > 7 or not _has_vowel(whole) or not tail.islower():
        return False
    return len(head) == 1 or head[1:].islower()  # a syllable: "Thườn" | "g", "tiêu/C" | "hỉ"


def _reflow(lines: list[_Line], left: float, right: float) -> str:
    """Join lines wrapped by the width ``left``–``right``; keep a line break where the next word would have fit.

    Where the exporter writes a space glyph at the end of wrapped lines, a line without one although it
    would have fitted ends a paragraph even when the next word would not have fitted after it (unless it
    is a piece of a word wider than the cell, or ends where a line may wrap without a space: "2022-").
    """
    parts: list[str] = []
    for index, line in enumerate(lines):
        if index == 0:
            parts.append(line.text)
            continue
        previous = lines[index - 1]
        width = right - left
        wrapped = (previous.x1 - previous.x0) + _space(previous) + line.first_width > width - 1.0
        if (wrapped and _space_fitted(previous, width) and previous.text[-1:] not in _BREAKS_AFTER
                and not _cut_word(previous, line, width)):
            wrapped = False  # the paragraph ended here
        if wrapped and not _BULLET.match(line.text):
            parts[-1] = f"{parts[-1]}{_joiner(previous, line, width)}{line.text}"
        else:
            parts.append(line.text)
    return clean("\n".join(parts))


@dataclass
class _Cell:
    """A cell's text, the room left after its last line for one more word, the width of its first word, its
    first and last lines and the width its lines wrap at (what joining it across a page break needs)."""

    text: str = ""
    room: float = float("inf")
    first_word: float = 0.0
    first: _Line | None = None
    last: _Line | None = None
    width: float = 0.0


def _cell_text(words: list[dict[str, Any]], bbox: tuple[float, float, float, float]) -> _Cell:
    """Return the reflowed text of the words inside a cell's box, with what a page break needs to know."""
    x0, top, x1, bottom = bbox
    inside = [w for w in words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom]
    lines = _lines(inside)
    if not lines:
        return _Cell()
    padding = min(8.0, max(0.0, min(line.x0 for line in lines) - x0))
    last = lines[-1]
    room = (x1 - x0 - 2 * padding) - (last.x1 - last.x0) - _space(last)
    return _Cell(_reflow(lines, x0 + padding, x1 - padding), room, lines[0].first_width, lines[0], last,
                 x1 - x0 - 2 * padding)


def _table_rows(table: Any, words: list[dict[str, Any]], number: int) -> _PageTable:
    """Return a pdfplumber table's rows as cell texts, merged cells resolved like the DOCX reader, with which
    cells are covered by a vertically merged cell above them and the geometry of their first and last lines."""
    grid = [list(row.cells) for row in table.rows]
    width = max((len(cells) for cells in grid), default=0)
    lefts: dict[int, float] = {}
    for cells in grid:
        for index, bbox in enumerate(cells):
            if bbox is not None:
                lefts.setdefault(index, bbox[0])
    rows = []
    covered: list[list[bool]] = []
    metrics: list[list[_Cell]] = []
    for cells in grid:
        cells = cells + [None] * (width - len(cells))
        texts: list[str] = []
        copies: list[bool] = []
        under: list[bool] = []
        found: list[_Cell] = []
        span_right = -1.0
        span_text = ""
        for index, bbox in enumerate(cells):
            if bbox is not None:
                cell = _cell_text(words, bbox)
                text = cell.text
                found.append(cell)
                texts.append(text)
                copies.append(False)
                under.append(False)
                span_right, span_text = bbox[2], text
            elif index in lefts and lefts[index] < span_right - 1.0:  # covered by the cell to its left
                texts.append(span_text)
                copies.append(bool(span_text))
                under.append(False)
                found.append(_Cell())
            else:  # covered from above: the lower part of a vertically merged cell
                texts.append("")
                copies.append(False)
                under.append(True)
                found.append(_Cell())
        rows.append(Row(texts, copies))
        covered.append(under)
        metrics.append(found)
    return _PageTable(rows, covered, metrics, number)


def _paragraphs(lines: list[_Line], right_margin: float) -> list[str]:
    """Join page lines outside tables into paragraphs: a line reaching the right margin continues."""
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if paragraphs:
            previous = paragraphs[-1][-1]
            close = line.top - previous.bottom < (previous.bottom - previous.top) * 0.8
            full = previous.x1 + _space(previous) + line.first_width > right_margin - 1.0
            if close and full and not _BULLET.match(line.text):
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return [text for text in (clean(" ".join(line.text for line in group)) for group in paragraphs) if text]


def _continues(text: str) -> bool:
    """Return True for cell text that goes on with a sentence begun above (lower case or punctuation)."""
    return bool(text) and (text[:1].islower() or text[:1] in ",.;:)")


def _append(current: str, text: str, wrapped: bool, before: _Cell | None = None, after: _Cell | None = None) -> str:
    """Return ``current`` followed by the text that continues it: on the same line when it was wrapped.

    With the cells' geometry (``before`` the page break, ``after`` it), a wrapped word cut by the page
    break is joined like one cut inside a cell ("III/20" | "24", "2088/" | "QĐ-UBND").
    """
    if not current:
        return text
    if wrapped and before is not None and after is not None and before.last is not None and after.first is not None:
        return f"{current}{_joiner(before.last, after.first, before.width)}{text}"
    if wrapped or _continues(text):
        return f"{current}{'' if _NO_SPACE_BEFORE.match(text) else ' '}{text}"
    return f"{current}\n{text}"


def _continue(previous: _PageTable, table: _PageTable) -> None:
    """Join a table continuing ``previous`` on the next page: repeated header rows dropped, split rows merged.

    In the first row on the new page, a cell whose text continues goes back to the cell it belongs to:
    the cell above it, or the cell a vertical merge began in. In a row without TT, text continues when
    it starts in lower case or when its first word would not have fitted after the last line above
    (that line was full: the page broke inside the paragraph); in a numbered row, only lower-case text
    in a column merged down from above goes back. When a row without TT gave something back, it is the
    rest of a row split by the page break and is merged whole.
    """
    rows, covered, cells = list(table.rows), list(table.covered), list(table.cells)
    header = [r.cells for r in previous.rows[:3]]
    while rows and (rows[0].cells in header or match_header(rows[0]) is not None):
        rows.pop(0)  # the header repeated at the top of the page (by Word, LibreOffice or by hand)
        covered.pop(0)
        cells.pop(0)
    if rows and previous.rows:
        first, last = rows[0], previous.rows[-1]
        moved = False
        for column, text in enumerate(first.cells):
            if column >= len(last.cells) or first.copies[column] or not text or _BULLET.match(text):
                continue
            owner = len(previous.rows) - 1
            while owner > 0 and previous.covered[owner][column]:
                owner -= 1
            target = previous.rows[owner]
            wrapped = bool(target.cells[column]) and cells[0][column].first_word > previous.cells[owner][column].room - 1
            if first.cells[0]:  # a numbered row: only lower-case text in a cell merged down from above goes back
                if owner == len(previous.rows) - 1 or not _continues(text):
                    continue
            elif not (wrapped or _continues(text)):
                continue  # a cell of its own
            before, after = previous.cells[owner][column], cells[0][column]
            target.cells[column] = _append(target.cells[column], text, wrapped, before, after)
            if after.last is not None:  # the cell now ends where its text on this page ends
                previous.cells[owner][column] = _Cell(target.cells[column], after.room, before.first_word,
                                                      before.first, after.last, after.width)
            target.copies[column] = False
            first.cells[column] = ""
            moved = True
        if moved and not first.cells[0]:
            for column, text in enumerate(first.cells):
                if text and not first.copies[column] and column < len(last.cells):
                    last.cells[column] = _append(last.cells[column], text, False)
                    last.copies[column] = False
        if (moved and not first.cells[0]) or not first.texts():
            rows.pop(0)
            covered.pop(0)
            cells.pop(0)
    previous.rows.extend(rows)
    previous.covered.extend(covered)
    previous.cells.extend(cells)
    previous.page = table.page


def _open(data: bytes, name: str) -> Any:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    damaged = f"Tệp PDF '{name}' bị hỏng hoặc không đầy đủ (bị cắt cụt khi tải lên?) nên không đọc được."
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise PlanImportError(damaged)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        encrypted = bool(pdf.doc.encryption)
    except Exception as exc:  # noqa: BLE001 - any other parser failure means a damaged file
        causes = [exc, *exc.args, exc.__cause__, exc.__context__]
        if not any(isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)) for cause in causes):
            raise PlanImportError(damaged) from None
        encrypted, pdf = True, None
    if encrypted:
        if pdf is not None:
            pdf.close()
        raise PlanImportError(f"Tệp PDF '{name}' được bảo vệ bằng mật khẩu (đã mã hóa) nên không được nhập. "
                              f"Hãy gỡ mật khẩu hoặc xuất lại PDF từ tệp gốc rồi tải lên lại.")
    return pdf


def pdf_blocks(data: bytes, name: str, max_pages: int = DEFAULT_MAX_PAGES,
               seconds: float = DEFAULT_SECONDS) -> list[Block]:
    """Read a PDF with a text layer into blocks (tables and paragraphs); refuse scans, encryption and damage."""
    pdf = _open(data, name)
    try:
        try:
            pages = pdf.pages
            count = len(pages)
        except Exception:  # noqa: BLE001
            raise PlanImportError(f"Tệp PDF '{name}' bị hỏng: không đọc được danh sách trang.") from None
        if count == 0:
            raise PlanImportError(f"Tệp PDF '{name}' không có trang nào.")
        if count > max_pages:
            raise PlanImportError(f"Tệp PDF '{name}' có {count} trang, vượt giới hạn {max_pages} trang "
                                  f"(cấu hình REPORTSVC_MAX_PDF_PAGES); đã từ chối.")
        deadline = time.monotonic() + seconds
        try:
            return _read_pages(pages, name, deadline, seconds)
        except PlanImportError:
            raise
        except Exception:  # noqa: BLE001 - a malformed page or content stream
            raise PlanImportError(f"Tệp PDF '{name}' bị hỏng hoặc có cấu trúc không hợp lệ nên không đọc được.") from None
    finally:
        pdf.close()


def _mark_spaces(words: list[dict[str, Any]], chars: list[dict[str, Any]]) -> None:
    """Set each word's ``space_after`` (whether a space glyph follows it), ``space_width`` (the width of a
    space glyph in its font and size on this page) and ``trails`` (whether the page writes a space glyph at
    the end of wrapped lines: a few with no character after them, not one typed by hand); all are left unset
    when the page has no spaces."""
    spaces: dict[int, list[float]] = {}
    widths: dict[tuple[str, float], list[float]] = {}
    starts: dict[int, list[float]] = {}
    for char in chars:
        if char["text"] == " ":
            spaces.setdefault(round(char["top"]), []).append(char["x0"])
            widths.setdefault((char.get("fontname", ""), round(char.get("size", 0), 1)), []).append(
                char["x1"] - char["x0"])
        else:
            starts.setdefault(round(char["top"]), []).append(char["x0"])
    if not spaces:
        return
    typical = {key: sorted(found)[len(found) // 2] for key, found in widths.items()}
    anywhere = sorted(typical.values())[len(typical) // 2]
    ending = (not any(x < start <= x + 3 * anywhere for near in (top - 1, top, top + 1)
                      for start in starts.get(near, ()))
              for top, found in spaces.items() for x in found)
    trails = sum(1 for _ in filter(None, ending)) >= _TRAILING_EVIDENCE
    for word in words:
        word["trails"] = trails
        top = round(word["top"])
        word["space_after"] = any(word["x1"] - 1.0 <= x <= word["x1"] + 2.0
                                  for near in (top - 1, top, top + 1) for x in spaces.get(near, ()))
        last = (word.get("chars") or [{}])[-1]
        word["space_width"] = typical.get((last.get("fontname", ""), round(last.get("size", 0), 1)), anywhere)


def _read_pages(pages: list[Any], name: str, deadline: float, seconds: float) -> list[Block]:
    blocks: list[Block | _PageTable] = []
    scanned: list[int] = []
    any_text = False

    def check_time() -> None:
        if time.monotonic() > deadline:
            raise PlanImportError(f"Đọc tệp PDF '{name}' quá {seconds:g} giây (cấu hình "
                                  f"REPORTSVC_PDF_SECONDS); đã dừng, không nhập gì.")

    for number, page in enumerate(pages, start=1):
        check_time()
        words = page_words(page.chars)
        _mark_spaces(words, page.chars)
        if not words:
            if page.images:
                scanned.append(number)
            page.close()
            continue
        any_text = True
        tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
        boxes = [t.bbox for t in tables]
        outside = [w for w in words if not any(b[0] - 1 <= (w["x0"] + w["x1"]) / 2 <= b[2] + 1
                                               and b[1] - 1 <= (w["top"] + w["bottom"]) / 2 <= b[3] + 1 for b in boxes)]
        lines = _lines(outside)
        right = max((line.x1 for line in lines), default=page.width)
        items: list[tuple[float, Any]] = sorted([(t.bbox[1], t) for t in tables] + [(line.top, line) for line in lines],
                                                key=lambda e: e[0])
        run: list[_Line] = []
        first_on_page = True
        for _top, item in items:
            if isinstance(item, _Line):
                run.append(item)
                continue
            check_time()
            for text in _paragraphs(run, right):
                blocks.append(Block("para", text=text))
            table = _table_rows(item, words, number)
            rows = table.rows
            previous = blocks[-1] if blocks else None
            if (first_on_page and not run and isinstance(previous, _PageTable) and previous.page == number - 1
                    and rows and len(previous.rows[0].cells) == len(rows[0].cells)):
                _continue(previous, table)
            elif table.rows:
                blocks.append(table)
            run = []
            first_on_page = False
        for text in _paragraphs(run, right):
            blocks.append(Block("para", text=text))
        if run:
            blocks.append(Block("para", text=""))  # text after the last table: the next page's table is not its continuation
        page.close()
    if scanned and not any_text:
        raise PlanImportError(f"Tệp PDF '{name}' là bản quét (ảnh), không có lớp chữ nên không đọc được nội dung. "
                              + SCAN_ADVICE)
    if scanned:
        listed = ", ".join(str(n) for n in scanned[:10]) + (" …" if len(scanned) > 10 else "")
        raise PlanImportError(f"Trang {listed} của tệp PDF '{name}' là ảnh quét, không có lớp chữ; nhập tiếp sẽ thiếu "
                              f"nội dung nên đã từ chối. " + SCAN_ADVICE)
    if not any_text:
        raise PlanImportError(f"Tệp PDF '{name}' không có chữ nào để đọc.")
    out: list[Block] = []
    number = 0
    for block in blocks:
        if isinstance(block, _PageTable):
            number += 1
            out.append(Block("table", pad(block.rows), continuable=True, name=f"bảng {number}"))
        elif block.text:
            out.append(block)
    return out
