"""Reporting periods: parsing, Vietnamese names and data windows (Nghị định 09/2019, Điều 12)."""
from datetime import date

import pytest

from reportsvc.periods import CutoffRule, Period, PeriodError, parse_period, period_containing, periods_of_year


@pytest.mark.parametrize("text,label", [
    ("2024-Q1", "quý I năm 2024"), ("2024-Q2", "quý II năm 2024"), ("2024-Q3", "quý III năm 2024"),
    ("2024-Q4", "quý IV năm 2024"), ("2024-H1", "6 tháng đầu năm 2024"), ("2024-M9", "9 tháng năm 2024"),
    ("2024-Y", "năm 2024"),
])
def test_parse_and_label(text: str, label: str) -> None:
    period = parse_period(text)
    assert period.key == text
    assert period.label == label


@pytest.mark.parametrize("text,start,end", [
    ("2024-Q1", date(2023, 12, 15), date(2024, 3, 14)),
    ("2024-Q2", date(2024, 3, 15), date(2024, 6, 14)),
    ("2024-Q3", date(2024, 6, 15), date(2024, 9, 14)),
    ("2024-Q4", date(2024, 9, 15), date(2024, 12, 14)),
    ("2024-H1", date(2023, 12, 15), date(2024, 6, 14)),
    ("2024-M9", date(2023, 12, 15), date(2024, 9, 14)),
    ("2024-Y", date(2023, 12, 15), date(2024, 12, 14)),
])
def test_windows_follow_decree_09(text: str, start: date, end: date) -> None:
    assert parse_period(text).window() == (start, end)


def test_q1_window_starts_in_the_previous_year() -> None:
    start, _ = parse_period("2024-Q1").window()
    assert start == date(2023, 12, 15)
    assert period_containing(date(2023, 12, 14)) == Period(2023, "Q", 4)
    assert period_containing(date(2023, 12, 15)) == Period(2024, "Q", 1)
    assert period_containing(date(2024, 3, 14)) == Period(2024, "Q", 1)
    assert period_containing(date(2024, 3, 15)) == Period(2024, "Q", 2)


def test_cutoff_day_is_configurable_per_locality() -> None:
    assert parse_period("2024-Q1").window(CutoffRule(end_day=19)) == (date(2023, 12, 20), date(2024, 3, 19))


@pytest.mark.parametrize("bad", ["2024-Q5", "2024-Q0", "2024", "Q1-2024", "2024-H2", "", "24-Q1", "2024-Y1"])
def test_bad_periods_list_the_accepted_forms(bad: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(bad)
    assert str(info.value) == (f"Kỳ báo cáo không hợp lệ: '{bad}'. Các dạng được chấp nhận: YYYY-Q1 … YYYY-Q4 "
                               "(quý), YYYY-H1 (6 tháng), YYYY-M9 (9 tháng), YYYY-Y (năm)")


def test_next_period_and_same_period_last_year() -> None:
    assert parse_period("2024-Q4").next() == Period(2025, "Q", 1)
    assert parse_period("2024-H1").next() == Period(2024, "Q", 3)
    assert parse_period("2024-M9").previous_year().key == "2023-M9"
    assert [p.key for p in periods_of_year(2024)] == ["2024-Q1", "2024-H1", "2024-Q2", "2024-M9", "2024-Q3",
                                                      "2024-Q4", "2024-Y"]
