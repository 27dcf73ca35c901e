"""Deadlines as plans write them ("Quý IV/2023", "Thường xuyên", …) turned into dates or a recurrence.

``parse_deadline`` never fails: text it cannot read comes back with kind ``unknown``. The raw
text is always kept. Kinds:

- ``window``: a date range (``start`` may be None for "Trước 25/12/2023", where only ``end`` is known);
- ``recurrence``: "Hàng năm", "Tháng 12 hàng năm", "Trước ngày 20 của tháng cuối quý năm 2024";
  ``recurrence`` is ``annual``, ``quarterly``, ``monthly`` or ``periodic`` and start/end span the
  plan year (or the year written), the end being the last due date of that year;
- ``continuous``: "Thường xuyên", "Liên tục";
- ``conditional``: "Theo Kế hoạch của Bộ Nội vụ", "Khi có chỉ đạo của Trung ương", "Sau khi …";
- ``unknown``: anything else (empty text included).

Several periods ("Năm 2023; Năm 2024", the deadlines of an item's sub-rows joined by line
breaks) give one window from the earliest start to the latest end. ``detail`` lists the periods
when that window has gaps ("2024-Q1,2024-Q3" for "Quý I và Quý III/2024").
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from reportsvc.vn.text import fold, nfc

KINDS = ("window", "recurrence", "continuous", "conditional", "unknown")


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline: the raw text, its kind and, where known, a date window or a recurrence."""

    raw: str
    kind: str  # one of KINDS
    start: date | None = None
    end: date | None = None
    recurrence: str = ""  # annual | quarterly | monthly | periodic | ""
    detail: str = ""  # e.g. "2024-Q1,2024-Q3" for a non-contiguous window


_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_TOKEN = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d{1,2}/\d{1,2}(?!\d)|\d+|[a-z]+|[-/,;]")
_CONTINUOUS = ("thuongxuyen", "lientuc")
_CONDITIONAL_START = ("theo", "khi", "saukhi", "tuytheo", "tuy", "cancu", "neu", "trongtruonghop")
_CONDITIONAL_ANY = ("theokehoach", "theoyeucau", "theochidao", "khico", "saukhi", "theolotrinh",
                    "khiduoc", "theohuongdan", "theoquydinh", "theothoigian", "theotiendo")
_RECURRENCE = (("hangquy", "quarterly"), ("moiquy", "quarterly"), ("cuoiquy", "quarterly"),
               ("dinhkyquy", "quarterly"), ("hangthang", "monthly"), ("moithang", "monthly"),
               ("hangnam", "annual"), ("moinam", "annual"), ("dinhkyhangnam", "annual"),
               ("hangtuan", "periodic"), ("dinhky", "periodic"))
_CONNECTORS = {"-", ",", "va", "den", "toi", "dau", "cuoi"}


@dataclass
class _Ref:
    """A period mentioned in the text: a quarter, a month, a year or a day."""

    kind: str  # Q | M | Y | D
    value: int = 0  # quarter 1-4, month 1-12
    year: int | None = None
    day: date | None = None
    before: bool = False  # "trước <date>"

    def span(self) -> tuple[date, date]:
        """Return the first and last day of the period."""
        assert self.year is not None or self.day is not None
        if self.kind == "D":
            assert self.day is not None
            return self.day, self.day
        year = self.year or 1
        if self.kind == "Q":
            first = (self.value - 1) * 3 + 1
            return date(year, first, 1), _month_end(year, first + 2)
        if self.kind == "M":
            return date(year, self.value, 1), _month_end(year, self.value)
        return date(year, 1, 1), date(year, 12, 31)

    def label(self) -> str:
        """Return a short label for ``Deadline.detail``, e.g. "2024-Q1"."""
        if self.kind == "Q":
            return f"{self.year}-Q{self.value}"
        if self.kind == "M":
            return f"{self.year}-{self.value:02d}"
        if self.kind == "D" and self.day:
            return self.day.isoformat()
        return str(self.year)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year(token: str) -> int | None:
    if re.fullmatch(r"\d{4}", token) and 1900 <= int(token) <= 2100:
        return int(token)
    return None


def _repair(folded: str) -> str:
    """Undo stray spaces inside years ("202 4") and unify dashes."""
    text = re.sub(r"[\u2010-\u2015]", "-", folded)
    text = re.sub(r"\b(\d{1,3}) (\d{1,3})\b",
                  lambda m: m.group(1) + m.group(2) if re.fullmatch(r"(19|20)\d\d", m.group(1) + m.group(2))
                  else m.group(0), text)
    return text


def _scan(text: str) -> tuple[list[_Ref], list[bool]]:
    """Find the quarters, months, years and dates ``text`` names; second list: range to previous."""
    tokens = _TOKEN.findall(text)
    refs: list[_Ref] = []
    ranges: list[bool] = []
    pending_range = False
    i = 0

    def add(ref: _Ref) -> None:
        """Record a period, marking it as the end of a range when a dash came before it."""
        nonlocal pending_range
        refs.append(ref)
        ranges.append(pending_range)
        pending_range = False

    def take_year(j: int) -> tuple[int | None, int]:
        """Read "/2024", "năm 2024" or "2024" at j; return (year, next index)."""
        k = j
        while k < len(tokens) and k < j + 2 and tokens[k] in ("/", "nam"):
            k += 1
        if k < len(tokens) and _year(tokens[k]):
            return _year(tokens[k]), k + 1
        return None, j

    while i < len(tokens):
        tok = tokens[i]
        if tok in ("quy", "thang") and i + 1 < len(tokens):
            kind = "Q" if tok == "quy" else "M"
            j = i + 1
            values: list[tuple[int, bool]] = []  # (value, is range end)
            range_next = False
            year: int | None = None
            while j < len(tokens):
                t = tokens[j]
                if kind == "M" and re.fullmatch(r"\d{1,2}/\d{4}", t):
                    month, yr = t.split("/")
                    if 1 <= int(month) <= 12:
                        values.append((int(month), range_next))
                        year = int(yr)
                        j += 1
                    break
                value = _ROMAN_QUARTER.get(t) if kind == "Q" else (int(t) if t.isdigit() and 1 <= int(t) <= 12
                                                                      and len(t) <= 2 else None)
                if value is None:
                    break
                values.append((value, range_next))
                range_next = False
                j += 1
                if j < len(tokens) and tokens[j] in ("-", "den", "toi"):
                    range_next = True
                    j += 1
                elif j < len(tokens) and tokens[j] in (",", "va") and j + 1 < len(tokens) and (
                        (tokens[j + 1] in _ROMAN_QUARTER) if kind == "Q" else tokens[j + 1].isdigit()):
                    j += 1
                elif j < len(tokens) and tokens[j] == "va" and j + 1 < len(tokens) and tokens[j + 1] == tok:
                    break
            if not values:
                i += 1
                continue
            if year is None:
                year, j = take_year(j)
            for value, is_range in values:
                if is_range:
                    pending_range = True
                add(_Ref(kind, value, year))
            i = j
            continue
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}", tok):
            d, m, y = (int(x) for x in tok.split("/"))
            if y < 100:
                y += 2000
            try:
                day = date(y, m, d)
            except ValueError:
                i += 1
                continue
            before = i > 0 and (tokens[i - 1] == "truoc" or (tokens[i - 1] == "ngay" and i > 1
                                                              and tokens[i - 2] == "truoc"))
            add(_Ref("D", year=y, day=day, before=before))
            i += 1
            continue
        if re.fullmatch(r"\d{1,2}/\d{1,2}", tok) and i > 0 and tokens[i - 1] in ("truoc", "ngay"):
            d, m = (int(x) for x in tok.split("/"))
            if 1 <= m <= 12 and 1 <= d <= 31:
                add(_Ref("D", value=d * 100 + m, year=None, before=True))
            i += 1
            continue
        if _year(tok):
            add(_Ref("Y", year=_year(tok)))
            i += 1
            continue
        if tok == "ca" and i + 1 < len(tokens) and tokens[i + 1] == "nam":
            year, j = take_year(i + 2)
            add(_Ref("Y", year=year))
            i = j
            continue
        if tok in ("-", "den", "toi") and refs:
            pending_range = True
        elif tok not in _CONNECTORS and tok not in ("nam", "/", "ngay", "truoc", "tu", "giai", "doan"):
            pending_range = False
        i += 1
    return refs, ranges


def _resolve_years(refs: list[_Ref], plan_year: int) -> None:
    """Give each period without a year the next year written after it, else the plan year."""
    following: int | None = None
    for ref in reversed(refs):
        if ref.year is None:
            ref.year = following or plan_year
        else:
            following = ref.year
    for ref in refs:
        if ref.kind == "D" and ref.day is None:
            day, month = divmod(ref.value, 100)
            try:
                ref.day = date(ref.year or plan_year, month, day)
            except ValueError:
                ref.day = _month_end(ref.year or plan_year, month)


def _window(raw: str, refs: list[_Ref], ranges: list[bool]) -> Deadline:
    spans = [ref.span() for ref in refs]
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    if len(refs) == 1 and refs[0].kind == "D" and refs[0].before:
        return Deadline(raw, "window", None, end)
    detail = ""
    ordered = sorted(spans)
    gaps = any((later[0] - earlier[1]).days > 1 for earlier, later in zip(ordered, ordered[1:]))
    if len(refs) > 1 and gaps and not all(ranges[1:]):
        detail = ",".join(ref.label() for ref in refs)
    return Deadline(raw, "window", start, end, "", detail)


def _recurrence(raw: str, folded: str, kind: str, refs: list[_Ref], plan_year: int) -> Deadline:
    year = next((ref.year for ref in refs if ref.year), None) or plan_year
    if kind == "quarterly":
        day = re.search(r"ngay (\d{1,2})\b", folded)
        if day and 1 <= int(day.group(1)) <= 31:
            return Deadline(raw, "recurrence", date(year, 1, 1), date(year, 12, int(day.group(1))), kind)
        return Deadline(raw, "recurrence", date(year, 1, 1), date(year, 12, 31), kind)
    months = [ref for ref in refs if ref.kind == "M"]
    if kind == "annual" and months:
        return Deadline(raw, "recurrence", date(year, months[0].value, 1), _month_end(year, months[-1].value), kind)
    return Deadline(raw, "recurrence", date(year, 1, 1), date(year, 12, 31), kind)


def _parse_part(raw: str, plan_year: int) -> Deadline:
    folded = _repair(fold(raw))
    compact = re.sub(r"[^a-z0-9]", "", folded)
    if not compact:
        return Deadline(raw, "unknown")
    if any(key in compact for key in _CONTINUOUS):
        return Deadline(raw, "continuous")
    words = folded.split()
    first_two = "".join(words[:2])
    if any(compact.startswith(key) for key in _CONDITIONAL_START) and not compact.startswith("thang"):
        if words and (words[0] in ("theo", "khi", "tuy", "neu") or first_two in ("saukhi", "cancu", "tuytheo")):
            return Deadline(raw, "conditional")
    for key, kind in _RECURRENCE:
        if key in compact:
            refs, _ = _scan(folded)
            _resolve_years(refs, plan_year)
            return _recurrence(raw, folded, kind, refs, plan_year)
    if "6 thang dau nam" in folded or "6 thang cuoi nam" in folded:
        refs, _ = _scan(folded)
        year = next((ref.year for ref in refs if ref.year), None) or plan_year
        if "dau" in folded:
            return Deadline(raw, "window", date(year, 1, 1), date(year, 6, 30))
        return Deadline(raw, "window", date(year, 7, 1), date(year, 12, 31))
    refs, ranges = _scan(folded)
    if refs:
        _resolve_years(refs, plan_year)
        return _window(raw, refs, ranges)
    if any(key in compact for key in _CONDITIONAL_ANY):
        return Deadline(raw, "conditional")
    return Deadline(raw, "unknown")


def parse_deadline(text: str, plan_year: int) -> Deadline:
    """Parse a deadline cell ("Quý IV/2023", "Thường xuyên", "Trước ngày 25/01/2024" …) for a plan year."""
    return _parse_part(nfc(text), plan_year)


_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*-\s*((?:19|20)\d\d)\b")
_YEAR_WORD = re.compile(r"(?<!thang \d )(?<!thang \d\d )\bnam ((?:19|20)\d\d)\b(?!\s*-\s*\d)")
_LONGEST_PLAN = 20  # years; a wider "range" is two unrelated years, not a plan's period


def _year_pair(first: int, last: int) -> tuple[int, int] | None:
    """Return (first, last) when they make a plausible plan period, else None."""
    if 1900 <= first <= last <= 2100 and last - first <= _LONGEST_PLAN:
        return first, last
    return None


def parse_years(text: str) -> tuple[int, int] | None:
    """Return (first, last) for a year ("2024") or a range ("2021-2025", "2021 – 2025"); None otherwise."""
    compact = re.sub(r"[\u2010-\u2015]", "-", nfc(str(text))).strip()
    if re.fullmatch(r"\d{4}", compact):
        return _year_pair(int(compact), int(compact))
    match = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", compact)
    return _year_pair(int(match.group(1)), int(match.group(2))) if match else None


def years_in_title(text: str) -> tuple[int, int] | None:
    """Return the years a plan's title names ("năm 2024", "giai đoạn 2021-2025", "2021 - 2025"), or None.

    The first period written wins ("năm 2024 … giai đoạn 2021-2030" is a 2024 plan); "năm 2023"
    right after "tháng 12" is a date, not the plan's year.
    """
    folded = _repair(fold(nfc(text or "")))
    found: list[tuple[int, tuple[int, int]]] = []
    for match in _YEAR_RANGE.finditer(folded):
        pair = _year_pair(int(match.group(1)), int(match.group(2)))
        if pair:
            found.append((match.start(), pair))
            break
    match = _YEAR_WORD.search(folded)
    if match:
        found.append((match.start(), (int(match.group(1)), int(match.group(1)))))
    return min(found)[1] if found else None


def years_label(years: tuple[int, int]) -> str:
    """Return "năm 2024" for one year, "giai đoạn 2021-2025" for a range."""
    first, last = years
    return f"năm {first}" if first == last else f"giai đoạn {first}-{last}"
