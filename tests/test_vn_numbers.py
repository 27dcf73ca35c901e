"""Numbers and dates typed the Vietnamese way: read through Babel's vi_VN rules, refused with a Vietnamese reason."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from reportsvc.vn.dates import local_time, parse_day
from reportsvc.vn.numbers import NumberError, form_text, parse_number


@pytest.mark.parametrize(("text", "number"), [
    ("94,5", 94.5),
    ("1.234,5", 1234.5),
    ("1.234", 1234.0),  # a dot groups thousands
    ("12.345.678,9", 12345678.9),
    ("94,5%", 94.5),
    (" 1 234,5 ", 1234.5),
    ("1\u00a0234", 1234.0),
    ("-3,2", -3.2),
    ("94.5", 94.5),  # a lone dot that cannot group thousands is a decimal point
    ("0.125", 0.125),
])
def test_numbers_as_officers_type_them(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(("text", "reason"), [
    ("nhiều", "giá trị phải là một số, nhận được 'nhiều'"),
    ("nan", "giá trị phải là một số, nhận được 'nan'"),
    ("inf", "giá trị phải là một số, nhận được 'inf'"),
    ("1e5", "giá trị phải là một số, nhận được '1e5'"),
    ("1,5,6", "giá trị phải là một số viết đúng cách (dấu chấm phân cách hàng nghìn, dấu phẩy trước phần thập "
              "phân, ví dụ 1.234,5), nhận được '1,5,6'"),
    ("1.234.5", "giá trị phải là một số viết đúng cách (dấu chấm phân cách hàng nghìn, dấu phẩy trước phần "
                "thập phân, ví dụ 1.234,5), nhận được '1.234.5'"),
    ("9" * 20, f"giá trị lớn quá mức cho phép, nhận được '{'9' * 20}'"),
    ("  ", "chưa nhập giá trị"),
])
def test_what_is_not_a_number_is_refused_in_vietnamese(text: str, reason: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert str(caught.value) == reason


@pytest.mark.parametrize("value", [94.5, 72.0, 1234567.0, 0.125, -3.2])
def test_a_stored_value_comes_back_as_it_is_typed(value: float) -> None:
    assert parse_number(form_text(value)) == value
    assert "." not in form_text(value)


def test_form_text_shows_the_vietnamese_decimal_comma() -> None:
    assert [form_text(v) for v in (94.5, 1234567, 72.0, None)] == ["94,5", "1234567", "72", ""]


def test_days_in_the_forms_accepted() -> None:
    assert parse_day("15/03/2024") == parse_day("2024-03-15") == parse_day("15-03-2024") == date(2024, 3, 15)
    assert parse_day("") is None and parse_day(None) is None
    with pytest.raises(ValueError):
        parse_day("31/02/2024")


def test_stored_times_are_shown_in_vietnam_time() -> None:
    assert local_time(datetime(2026, 11, 23, 7, 5, tzinfo=timezone.utc)) == "23/11/2026 14:05"
    assert local_time(datetime(2026, 11, 23, 20, 0)) == "24/11/2026 03:00"  # naive: stored UTC
