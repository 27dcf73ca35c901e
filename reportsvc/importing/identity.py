"""The plan's identity as a văn bản: number and symbol, date and place, issuing body.

Read from the document's heading ("Số: 4791 /QĐ-UBND", "Hải Phòng, ngày 29 tháng 12 năm 2023",
the issuing body in capitals above the number) and, for what the heading leaves out, from the
"(Ban hành kèm theo Kế hoạch số: /KH-UBND ngày tháng 12 năm 2023 của …)" line. Blanks stay
blank: a number not yet written is "", a date with a blank day keeps its text and no date.
"""
from __future__ import annotations

import re
from datetime import date

from reportsvc.importing.model import PlanIdentity
from reportsvc.vn.text import collapse, fold

_BLANK = r"[\s.…_]*"
_NUMBER = (rf"(?P<num>\d{{1,6}})?{_BLANK}/\s*"
           r"(?P<sym>[A-ZĐ][A-Za-zĐđ0-9&.\-]*[A-Za-zĐđ0-9])")
_DATE = (rf"ngày{_BLANK}(?P<d>\d{{1,2}})?{_BLANK}"
         rf"(?:tháng{_BLANK}(?P<m>\d{{1,2}})?{_BLANK}năm\s*(?P<y>\d{{4}})"
         rf"|/{_BLANK}(?P<m2>\d{{1,2}})?{_BLANK}/\s*(?P<y2>\d{{4}}))")
_HEAD_NUMBER = re.compile(rf"^Số\s*[:.]?\s*{_NUMBER}", re.IGNORECASE)
_HEAD_DATE = re.compile(rf"^(?P<place>[^\W\d][^,\n]{{1,40}}),\s*{_DATE}", re.IGNORECASE)
_ANNEX = re.compile(rf"kèm theo\s+(?:(?:Kế hoạch|Quyết định|Chương trình|Văn bản|Công văn)\s+)?số\s*[:.]?\s*{_NUMBER}"
                    rf"(?:\s*,?\s*{_DATE})?(?:\s*,?\s*của\s+(?P<body>[^()]+?))?\s*\)?\s*$", re.IGNORECASE)
_BODY_WORDS = ("uy ban", "ubnd", "so ", "ban ", "van phong", "hoi dong", "chu tich")
_NOT_BODY = ("cong hoa", "doc lap")
HEAD_LINES = 40  # the heading of a văn bản: the first lines of the document


def read_identity(lines: list[str]) -> PlanIdentity:
    """Return the identity the lines above a plan's table write (heading first, then "kèm theo")."""
    cleaned = [collapse(line.replace("*", "")) for line in lines]
    cleaned = [line for line in cleaned if line]
    identity = PlanIdentity()
    number_at: int | None = None
    for index, line in enumerate(cleaned[:HEAD_LINES]):
        match = _HEAD_NUMBER.match(line)
        if match and number_at is None:
            identity.number, identity.symbol = match.group("num") or "", match.group("sym")
            number_at = index
        match = _HEAD_DATE.match(line)
        if match and not identity.date_text:
            identity.place = match.group("place").strip()
            identity.date_text, identity.date = _date_of(match)
    if number_at is not None:
        identity.issuing_body = _heading_body(cleaned[:number_at])
    for line in cleaned:
        match = _ANNEX.search(line)
        if match is None:
            continue
        if not identity.symbol:
            identity.number, identity.symbol = match.group("num") or "", match.group("sym")
        if not identity.date_text and (match.group("y") or match.group("y2")):
            identity.date_text, identity.date = _date_of(match)
        if not identity.issuing_body and match.group("body"):
            identity.issuing_body = match.group("body").strip(" ,.;")
        break
    return identity


def _date_of(match: re.Match[str]) -> tuple[str, date | None]:
    """Return the date as written (from "ngày") and the date when day, month and year are all given."""
    end = match.end("y") if match.group("y") else match.end("y2")
    text = match.string[match.start(0):end]
    text = collapse(text[text.lower().rindex("ngày"):])
    day, month = match.group("d"), match.group("m") or match.group("m2")
    year = match.group("y") or match.group("y2")
    try:
        return text, date(int(year), int(month), int(day)) if day and month and year else None
    except ValueError:
        return text, None


def _heading_body(lines: list[str]) -> str:
    """Return the issuing body written in the heading's first lines (above the number), joined."""
    body: list[str] = []
    for line in lines[-3:]:
        key = fold(line)
        if any(key.startswith(word) for word in _NOT_BODY):
            continue
        if body or any(key.startswith(word) for word in _BODY_WORDS):
            if line != line.upper():
                break
            body.append(line)
    return " ".join(body)[:255]


def parse_doc_date(text: str) -> date | None:
    """Return the date of "29/12/2023", "2023-12-29" or "ngày 29 tháng 12 năm 2023"; None when incomplete."""
    text = collapse(text)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if match:
            year, month, day = (int(g) for g in match.groups())
        else:
            found = re.search(_DATE, text, re.IGNORECASE)
            return _date_of(found)[1] if found else None
    try:
        return date(year, month, day)
    except ValueError:
        return None
