"""Tests of reportsvc.importing.deadlines: every deadline form seen in shared/seeds/README.md."""
from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from reportsvc.importing.deadlines import Deadline, parse_deadline

D = date

WINDOWS = [
    ("Quý IV/2023", D(2023, 10, 1), D(2023, 12, 31)),
    ("Quý I/2024", D(2024, 1, 1), D(2024, 3, 31)),
    ("Quý I và Quý III/2024", D(2024, 1, 1), D(2024, 9, 30)),
    ("Quý IV/2024- Quý I/2025", D(2024, 10, 1), D(2025, 3, 31)),
    ("Quý IV/2024-\nQuý I/2025", D(2024, 10, 1), D(2025, 3, 31)),
    ("Quý I-II/2024", D(2024, 1, 1), D(2024, 6, 30)),
    ("Quý II, III/2024", D(2024, 4, 1), D(2024, 9, 30)),
    ("Quý III,IV/2024", D(2024, 7, 1), D(2024, 12, 31)),
    ("Quý II, III, IV/ 2024", D(2024, 4, 1), D(2024, 12, 31)),
    ("Quý I, II năm 2024", D(2024, 1, 1), D(2024, 6, 30)),
    ("Quý I-IV năm 2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("Quý II-IV năm 2024", D(2024, 4, 1), D(2024, 12, 31)),
    ("Quý IV/ \nnăm 2022", D(2022, 10, 1), D(2022, 12, 31)),
    ("Quý\nI/2024", D(2024, 1, 1), D(2024, 3, 31)),
    ("Quý II", D(2024, 4, 1), D(2024, 6, 30)),
    ("Quý IV", D(2024, 10, 1), D(2024, 12, 31)),
    ("Tháng 12/2024", D(2024, 12, 1), D(2024, 12, 31)),
    ("Tháng 01/2024", D(2024, 1, 1), D(2024, 1, 31)),
    ("Tháng 6 năm 2024", D(2024, 6, 1), D(2024, 6, 30)),
    ("Trước 25/12/2023", None, D(2023, 12, 25)),
    ("Trước ngày 25/01/2024", None, D(2024, 1, 25)),
    ("Trước ngày 31/3", None, D(2024, 3, 31)),
    ("Năm 2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("Năm\n2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("Cả năm", D(2024, 1, 1), D(2024, 12, 31)),
    ("Cả năm 2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("2022-2025", D(2022, 1, 1), D(2025, 12, 31)),
    ("Năm 2024-2026", D(2024, 1, 1), D(2026, 12, 31)),
    ("Năm 2023;\nNăm 2024", D(2023, 1, 1), D(2024, 12, 31)),
    ("6 tháng đầu năm 2024", D(2024, 1, 1), D(2024, 6, 30)),
]


@pytest.mark.parametrize(("text", "start", "end"), WINDOWS)
def test_windows(text: str, start: date | None, end: date) -> None:
    parsed = parse_deadline(text, 2024)
    assert parsed.kind == "window", parsed
    assert (parsed.start, parsed.end) == (start, end)
    assert parsed.raw == unicodedata.normalize("NFC", text).strip()


def test_non_contiguous_quarters_keep_detail() -> None:
    parsed = parse_deadline("Quý I và Quý III/2024", 2024)
    assert parsed.detail == "2024-Q1,2024-Q3"
    assert parse_deadline("Quý I-II/2024", 2024).detail == ""


@pytest.mark.parametrize(("text", "recurrence", "start", "end"), [
    ("Hàng năm", "annual", D(2024, 1, 1), D(2024, 12, 31)),
    ("Hằng năm", "annual", D(2024, 1, 1), D(2024, 12, 31)),
    ("Tháng 12 hàng năm", "annual", D(2024, 12, 1), D(2024, 12, 31)),
    ("Trước ngày 20 của tháng cuối quý năm 2024", "quarterly", D(2024, 1, 1), D(2024, 12, 20)),
    ("Trước \nngày 10 \n\ncủa tháng \ncuối quý \nnăm 2023", "quarterly", D(2023, 1, 1), D(2023, 12, 10)),
    ("Định kỳ hàng tháng", "monthly", D(2024, 1, 1), D(2024, 12, 31)),
])
def test_recurrences(text: str, recurrence: str, start: date, end: date) -> None:
    parsed = parse_deadline(text, 2024)
    assert (parsed.kind, parsed.recurrence, parsed.start, parsed.end) == ("recurrence", recurrence, start, end)


@pytest.mark.parametrize("text", ["Thường xuyên", "Thường xuyên (khi có Thông tư hướng dẫn mới của Bộ, ngành)",
                                  "Thườn g xuyên", "thuong xuyen", "Thường \nxuyên", "Liên tục"])
def test_continuous(text: str) -> None:
    parsed = parse_deadline(text, 2024)
    assert parsed.kind == "continuous"
    assert parsed.start is None and parsed.end is None


@pytest.mark.parametrize("text", ["Theo Kế hoạch của Bộ Nội vụ", "Khi có chỉ đạo của Trung ương",
                                  "Theo yêu cầu của Bộ Nội vụ", "Theo chỉ đạo của UBND thành phố",
                                  "Sau khi các cơ quan liên quan công bố chỉ số CCHC tỉnh năm 2023",
                                  "Theo kế hoạch thẩm định hằng năm của Bộ Nội vụ",
                                  "Theo lộ trình đề án được phê duyệt"])
def test_conditional(text: str) -> None:
    parsed = parse_deadline(text, 2024)
    assert parsed.kind == "conditional"
    assert parsed.raw == text


def test_nfd_input_is_normalised() -> None:
    text = unicodedata.normalize("NFD", "Quý IV/2023")
    parsed = parse_deadline(text, 2024)
    assert parsed == Deadline("Quý IV/2023", "window", D(2023, 10, 1), D(2023, 12, 31))
    assert parse_deadline(unicodedata.normalize("NFD", "Thường xuyên"), 2024).kind == "continuous"


@pytest.mark.parametrize("text", ["", "   ", "Chưa xác định", "Các sở, ngành, UBND cấp huyện"])
def test_unknown(text: str) -> None:
    parsed = parse_deadline(text, 2024)
    assert parsed.kind == "unknown"
    assert parsed.start is None and parsed.end is None


def test_deadline_is_frozen() -> None:
    parsed = parse_deadline("Năm 2024", 2024)
    with pytest.raises(AttributeError):
        parsed.kind = "x"  # type: ignore[misc]
