"""The web forms as WTForms classes: each field parses and checks what the user typed, in Vietnamese.

CSRF is checked once for every POST by Flask-WTF's CSRFProtect (reportsvc.web.app), so the forms here
leave it off. Rules that the JSON API shares (a task's status, an indicator's bounds, text lengths)
stay in reportsvc.services.recording; the forms turn the typed text into values for them.

Some pages name their inputs per row (``value-CODE``, ``text-V``); a row's sub-form reads them
through ``Renamed``, which maps the sub-form's field names to the page's input names.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterator, Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Field, Form, PasswordField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, StopValidation, ValidationError

from reportsvc.periods import Period, PeriodError, parse_period
from reportsvc.render import FORMATS
from reportsvc.vn.dates import parse_day


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class Renamed:
    """Form data seen under other names: ``Renamed(request.form, {"value": "value-CODE"})``."""

    def __init__(self, formdata: MultiDict, names: Mapping[str, str]) -> None:
        self._formdata = formdata
        self._names = dict(names)

    def _name(self, name: str) -> str:
        return self._names.get(name, name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._name(name) in self._formdata

    def __iter__(self) -> Iterator[str]:
        return iter(name for name in self._names if self._names[name] in self._formdata)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def getlist(self, name: str) -> list[Any]:
        """Return every value sent under the page's name for ``name``."""
        return self._formdata.getlist(self._name(name))


# ---------------------------------------------------------------- fields

class PeriodField(StringField):
    """A report period written "2024-Q3"; ``data`` is a Period, or None when left empty."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the typed period; a malformed one is this field's error (the parser's Vietnamese reason)."""
        text = (valuelist[0] if valuelist else "") or ""
        self.data = None
        if text.strip():
            try:
                self.data = parse_period(text.strip())
            except PeriodError as exc:
                raise ValueError(str(exc)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.key if isinstance(self.data, Period) else ""

    def period_or(self, default: Period) -> Period:
        """Return the typed period, else ``default``."""
        return self.data or default


class DayField(StringField):
    """A date typed ngày/tháng/năm (05/12/2024; 2024-12-05 too); ``data`` is a date or None when empty."""

    def __init__(self, label: str | None = None, validators: Any = None, invalid: str = "", **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid or f"{label} không hợp lệ: '{{text}}' (ghi theo dạng ngày/tháng/năm)."

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the typed date; a malformed one is this field's error."""
        text = (valuelist[0] if valuelist else "") or ""
        try:
            self.data = parse_day(text)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid.format(text=text)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""


class VersionField(StringField):
    """The version of a record the page was loaded with (0: there was none); ``data`` is an int."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the version; missing or malformed is this field's error."""
        text = str(valuelist[0]).strip() if valuelist and valuelist[0] is not None else ""
        self.data = int(text) if text.isdigit() else None
        if not text:
            raise ValueError("Thiếu phiên bản dữ liệu đã đọc (version; 0 khi tạo mới).")
        if self.data is None:
            raise ValueError("Phiên bản (version) không hợp lệ.")

    def _value(self) -> str:
        return str(self.data) if self.data is not None else ""


class FlagField(BooleanField):
    """A checkbox sent as value "1": ``data`` is True only for "1" (the pages' convention)."""

    false_values = ("", "0", "false", "False")

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Set ``data`` from the checkbox's value."""
        self.data = bool(valuelist) and valuelist[0] == "1"


class PageForm(FlaskForm):
    """Base of the page forms: CSRF is CSRFProtect's job, not repeated per form."""

    class Meta:
        csrf = False


# ---------------------------------------------------------------- sign-in

class LoginForm(PageForm):
    """Sign in with a user name and password."""

    username = StringField("Tên đăng nhập", filters=[_strip],
                           validators=[InputRequired("Hãy nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", validators=[InputRequired("Hãy nhập mật khẩu.")])


# ---------------------------------------------------------------- task status

class TaskStatusForm(PageForm):
    """A task's status for a period with its evidence (số/ký hiệu, date, trích yếu)."""

    period = PeriodField("Kỳ")
    version = VersionField("Phiên bản")
    status = StringField("Trạng thái", filters=[_strip])
    completed_on = DayField("Ngày hoàn thành")
    result = TextAreaField("Kết quả")
    evidence_number = StringField("Số/ký hiệu văn bản")
    evidence_date = DayField("Ngày ban hành văn bản")
    evidence_title = StringField("Trích yếu")

    ENTRY_FIELDS = ("status", "completed_on", "result", "evidence_number", "evidence_date", "evidence_title")

    def entered(self) -> dict[str, Any]:
        """Return the parsed values for recording the status (dates as dates)."""
        return {name: self[name].data for name in self.ENTRY_FIELDS}

    def typed(self) -> dict[str, str]:
        """Return the values as typed, to show the form again."""
        return {name: self[name]._value() or "" for name in self.ENTRY_FIELDS}

    def entry_errors(self) -> list[str]:
        """Return the errors of the entry fields and the version, in form order."""
        return [message for name in ("version", *self.ENTRY_FIELDS) for message in self[name].errors]


# ---------------------------------------------------------------- indicator values

class IndicatorPageForm(PageForm):
    """The unit and quarter of the indicator entry table."""

    unit = StringField("Đơn vị", filters=[_strip])
    period = PeriodField("Quý")


class IndicatorRowForm(Form):
    """One indicator's inputs: value (94,5), note, the values and version the page was loaded with."""

    value = StringField("Giá trị", filters=[_strip])
    note = StringField("Ghi chú", filters=[_strip])
    orig_value = StringField()
    orig_note = StringField()
    version = VersionField("Phiên bản")

    @classmethod
    def of(cls, formdata: MultiDict, code: str) -> "IndicatorRowForm":
        """Return the row of indicator ``code`` read from the page's inputs (value-CODE, note-CODE, …)."""
        return cls(Renamed(formdata, {"value": f"value-{code}", "note": f"note-{code}", "orig_value": f"orig-{code}",
                                      "orig_note": f"orig-note-{code}", "version": f"version-{code}"}))

    @property
    def sent(self) -> bool:
        """Return True when the page had an input for this indicator."""
        return bool(self.value.raw_data)

    @property
    def changed(self) -> bool:
        """Return True when the value or note differs from what the page was loaded with."""
        return (self.value.data or "", self.note.data or "") != (self.orig_value.data or "", self.orig_note.data or "")


# ---------------------------------------------------------------- plan upload

def _year(form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise StopValidation(f"Năm không hợp lệ: '{text}'. Hãy ghi năm 4 chữ số, ví dụ 2025.")


class PlanUploadForm(PageForm):
    """A plan file (DOCX, XLSX, CSV) for a unit and year, replacing the unit's plan if ticked."""

    file = FileField("Tệp kế hoạch", validators=[FileRequired("Hãy chọn tệp kế hoạch (.docx, .xlsx hoặc .csv).")])
    year = StringField("Năm kế hoạch", filters=[_strip], validators=[_year])
    unit = StringField("Đơn vị", filters=[_strip])
    replace = FlagField("Thay thế kế hoạch đã nhập")


class ConfirmForm(PageForm):
    """Confirming a pending upload, replacing the unit's plan if ticked."""

    replace = FlagField("Thay thế kế hoạch đã nhập")


# ---------------------------------------------------------------- report drafts and generation

def _formats(form: "ReportForm", field: Field) -> None:
    if form.generating and not field.data:
        raise StopValidation("Hãy chọn ít nhất một định dạng tệp (DOCX hoặc PDF).")
    unknown = [name for name in field.data or [] if name not in FORMATS]
    if unknown:
        raise StopValidation(f"Định dạng không hợp lệ: {', '.join(unknown)}. Chọn trong: {', '.join(FORMATS)}.")


def _number(form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if text and (not text.isdigit() or not 0 < int(text) < 100000):
        raise ValidationError(f"Số văn bản không hợp lệ: '{text}' (một số nguyên dương).")


class ReportForm(PageForm):
    """Save the edited narrative sections; with action=generate, then generate the report."""

    unit = StringField("Đơn vị", filters=[_strip])
    period = PeriodField("Kỳ báo cáo")
    action = StringField()
    formats = SelectMultipleField("Định dạng", choices=list(FORMATS), validate_choice=False, validators=[_formats])
    report_date = DayField("Ngày báo cáo", invalid="Ngày báo cáo không hợp lệ: '{text}'.")
    number = StringField("Số văn bản", filters=[_strip], validators=[_number])
    skip_broken = FlagField("Vẫn tạo khi một plugin lỗi")

    @property
    def generating(self) -> bool:
        """Return True when the report is to be generated after saving."""
        return self.action.data == "generate"

    def generate_errors(self) -> list[str]:
        """Return the errors of the generation fields (formats, date, number), in that order."""
        return [message for name in ("formats", "report_date", "number") for message in self[name].errors]


class SectionForm(Form):
    """One narrative section of the draft: its text, the fingerprint it was loaded with, reset."""

    text = TextAreaField()
    orig = StringField()
    reset = FlagField()

    @classmethod
    def of(cls, formdata: MultiDict, key: str) -> "SectionForm":
        """Return section ``key`` read from the page's inputs (text-KEY, orig-KEY, reset-KEY)."""
        return cls(Renamed(formdata, {"text": f"text-{key}", "orig": f"orig-{key}", "reset": f"reset-{key}"}))


def section_keys(formdata: MultiDict) -> list[str]:
    """Return the keys of the narrative sections the page sent (its text-KEY inputs), in page order."""
    return [name[len("text-"):] for name in formdata if name.startswith("text-")]
