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
from wtforms import (BooleanField, Field, FieldList, Form, FormField, HiddenField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from reportsvc.config import normal_email
from reportsvc.importing.deadlines import parse_years
from reportsvc.periods import Period, PeriodError, parse_period
from reportsvc.render import FORMATS
from reportsvc.services.recording import whole_number
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
        self.data = whole_number(text)
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
                           validators=[InputRequired("Hãy nhập tên đăng nhập."),
                                       Length(min=1, max=64, message="Tên đăng nhập phải có từ 1 đến 64 ký tự.")])
    password = PasswordField("Mật khẩu", validators=[InputRequired("Hãy nhập mật khẩu."),
                                                     Length(max=1024, message="Mật khẩu quá dài.")])


class PasswordChangeForm(PageForm):
    """The signed-in user's own new password, typed twice, after the current one.

    The rules a password must follow (length, not the user name, not a common one) are the
    account service's (reportsvc.services.passwords), so the web, the API and the CLI share them.
    """

    current = PasswordField("Mật khẩu hiện tại", validators=[InputRequired("Hãy nhập mật khẩu hiện tại."),
                                                             Length(max=1024, message="Mật khẩu quá dài.")])
    password = PasswordField("Mật khẩu mới", validators=[InputRequired("Hãy nhập mật khẩu mới."),
                                                          Length(max=1024, message="Mật khẩu quá dài.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[InputRequired("Hãy nhập lại mật khẩu mới.")])

    def validate_confirm(self, field: Field) -> None:
        """Refuse a confirmation that differs from the new password."""
        if field.data != self.password.data:
            raise ValidationError("Hai lần nhập mật khẩu mới không khớp nhau.")


class DaysField(StringField):
    """A whole number of days, typed; ``data`` is an int, or None when left empty or malformed."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the typed number of days; a malformed one is this field's error."""
        text = str(valuelist[0]).strip() if valuelist and valuelist[0] is not None else ""
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None
        if text and self.data is None:
            raise ValueError(f"Số ngày không hợp lệ: '{text[:20]}' (nhập một số nguyên, ví dụ 90).")


class TokenForm(PageForm):
    """A new API token of the signed-in user: its name and how many days it stays valid."""

    name = StringField("Tên mã", filters=[_strip], validators=[InputRequired("Hãy đặt tên cho mã truy cập."),
                                                              Length(max=64, message="Tên mã dài quá 64 ký tự.")])
    days = DaysField("Số ngày hiệu lực", validators=[InputRequired("Hãy nhập số ngày hiệu lực.")])


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
    """Accept a year ("2024"), a range ("2021-2025") or blank (the years are read from the document's title)."""
    text = (field.data or "").strip()
    if not text:
        return
    years = parse_years(text)
    if years is None or not (2000 <= years[0] and years[1] <= 2100):
        raise StopValidation(f"Năm không hợp lệ: '{text}'. Hãy ghi năm 4 chữ số, ví dụ 2025. Một giai đoạn ghi "
                             f"như 2021-2025; bỏ trống để đọc năm từ tiêu đề văn bản.")


class PlanUploadForm(PageForm):
    """A plan file (DOCX, XLSX, CSV) for a unit and year, replacing the unit's plan if ticked."""

    file = FileField("Tệp kế hoạch", validators=[FileRequired("Hãy chọn tệp kế hoạch (.docx, .xlsx, .pdf có lớp chữ hoặc .csv).")])
    year = StringField("Năm kế hoạch", filters=[_strip], validators=[_year])
    unit = StringField("Đơn vị", filters=[_strip])
    replace = FlagField("Thay thế kế hoạch đã nhập")

    @property
    def years(self) -> tuple[int, int] | None:
        """Return the (first, last) years typed, or None when blank (read them from the document's title)."""
        return parse_years(self.year.data) if self.year.data else None


class ConfirmForm(PageForm):
    """Confirming a pending upload, replacing the unit's plan if ticked."""

    replace = FlagField("Thay thế kế hoạch đã nhập")


#: The choice of an unknown agency name in the preview that keeps the name as text in its tasks.
KEEP_AS_TEXT = ""
#: The choice that creates the agency in the plan's unit.
CREATE_AGENCY = "new"


def _offered(form: Form, field: Field) -> None:
    """Refuse a choice the select did not offer (an agency outside the user's scope, a made-up id)."""
    if field.data not in {value for value, _ in field.choices or []}:
        name = form.name.data or ""
        raise StopValidation(f"Cơ quan được chọn cho '{name}' không có trong danh mục của đơn vị hoặc "
                             f"tỉnh/thành phố trong phạm vi của bạn.")


class AgencyChoiceForm(Form):
    """One unknown agency name of a pending plan and what to do with it: an agency id, "new" or "" (keep)."""

    name = HiddenField("Tên cơ quan trong kế hoạch", filters=[_strip])
    choice = SelectField("Gán cho", choices=[], validate_choice=False, default=KEEP_AS_TEXT, validators=[_offered])


class PlanConfirmForm(ConfirmForm):
    """Confirming a pending upload with a choice for each agency name the unit's scope does not know."""

    agencies = FieldList(FormField(AgencyChoiceForm), min_entries=0)

    def set_choices(self, choices: list[tuple[str, str]]) -> None:
        """Offer ``choices`` (agency id, label) after "keep as text" and "create" on every name's select."""
        options = [(KEEP_AS_TEXT, "Để trống (giữ tên trong nhiệm vụ)"), (CREATE_AGENCY, "Tạo cơ quan mới"),
                   *choices]
        for entry in self.agencies:
            entry.form.choice.choices = options

    def agency_map(self) -> dict[str, int | str]:
        """Return the choices as the import's ``agency_map``: name -> agency id or "new"; kept names left out."""
        mapping: dict[str, int | str] = {}
        for entry in self.agencies:
            name, choice = entry.form.name.data or "", entry.form.choice.data or KEEP_AS_TEXT
            if name and choice == CREATE_AGENCY:
                mapping[name] = CREATE_AGENCY
            elif name and choice.isdigit():
                mapping[name] = int(choice)
        return mapping



class PlanIdentityForm(PageForm):
    """A plan's number, symbol, date, place and issuing body, as the văn bản writes them (blanks allowed)."""

    number = StringField("Số", filters=[_strip], validators=[Length(max=32, message="Số văn bản dài quá 32 ký tự.")])
    symbol = StringField("Ký hiệu", filters=[_strip],
                         validators=[Length(max=64, message="Ký hiệu văn bản dài quá 64 ký tự.")])
    date = DayField("Ngày ban hành")
    place = StringField("Địa danh", filters=[_strip], validators=[Length(max=128, message="Địa danh dài quá 128 ký tự.")])
    issuing_body = StringField("Cơ quan ban hành", filters=[_strip],
                               validators=[Length(max=255, message="Cơ quan ban hành dài quá 255 ký tự.")])

    def changes(self) -> dict[str, Any]:
        """Return every field as ``plan_identity.set_identity`` takes it (the form sends them all)."""
        return {"number": self.number.data or "", "symbol": self.symbol.data or "", "date": self.date.data,
                "place": self.place.data or "", "issuing_body": self.issuing_body.data or ""}

# ---------------------------------------------------------------- report drafts and generation

def _formats(form: "ReportForm", field: Field) -> None:
    if form.generating and not field.data:
        raise StopValidation("Hãy chọn ít nhất một định dạng tệp (DOCX hoặc PDF).")
    unknown = [name for name in field.data or [] if name not in FORMATS]
    if unknown:
        raise StopValidation(f"Định dạng không hợp lệ: {', '.join(unknown)}. Chọn trong: {', '.join(FORMATS)}.")


def _number(form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if text and not 0 < (whole_number(text) or 0) < 100000:
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


# ---------------------------------------------------------------- administration: units, agencies, users

WEB_ROLES = ("admin", "editor", "viewer")  # superadmin is made on the command line only


def _required(message: str) -> InputRequired:
    return InputRequired(message)


class UnitAddForm(PageForm):
    """A new unit below one of the admin's units: official code, name, kind."""

    code = StringField("Mã đơn vị", filters=[_strip], validators=[_required("Hãy nhập mã đơn vị.")])
    name = StringField("Tên đơn vị", filters=[_strip], validators=[_required("Hãy nhập tên đơn vị.")])
    kind = SelectField("Loại đơn vị", validate_choice=False, validators=[_required("Hãy chọn loại đơn vị.")])
    parent = SelectField("Đơn vị cấp trên", validate_choice=False)

    def check_parent(self, allowed: set[str], may_be_root: bool) -> None:
        """Add an error unless the parent is one of ``allowed`` (or empty when ``may_be_root``)."""
        _check_choice(self.parent, allowed, "Đơn vị cấp trên", may_be_empty=may_be_root)


class UnitRenameForm(PageForm):
    """A unit's new name, and its kind (a xã that became a phường)."""

    name = StringField("Tên mới", filters=[_strip], validators=[_required("Hãy nhập tên mới của đơn vị.")])
    kind = SelectField("Loại đơn vị", validate_choice=False)


class UnitMoveForm(PageForm):
    """The unit's new parent."""

    parent = SelectField("Đơn vị cấp trên mới", validate_choice=False,
                         validators=[_required("Hãy chọn đơn vị cấp trên mới.")])


class UnitSettingsForm(PageForm):
    """A unit's report settings, as typed; the settings service checks every value."""

    parent_body = StringField("Cơ quan cấp trên", filters=[_strip])
    issuing_body = StringField("Cơ quan ban hành", filters=[_strip])
    place = StringField("Địa danh", filters=[_strip])
    doc_symbol = StringField("Ký hiệu văn bản", filters=[_strip])
    sign_authority = StringField("Thẩm quyền ký (TM./KT.)", filters=[_strip])
    signer_position = StringField("Chức vụ người ký", filters=[_strip])
    signer_name = StringField("Họ tên người ký", filters=[_strip])
    recipients = TextAreaField("Nơi nhận (mỗi dòng một nơi)")
    cutoff_day = StringField("Ngày chốt số liệu", filters=[_strip])
    submission_day = StringField("Hạn gửi báo cáo (ngày của tháng cuối kỳ)", filters=[_strip])
    data_due_day = StringField("Hạn nộp số liệu của cơ quan, đơn vị cấp dưới (ngày của tháng cuối kỳ)",
                               filters=[_strip])
    reminder_days = StringField("Nhắc trước hạn nộp số liệu (số ngày)", filters=[_strip])
    approved_only = BooleanField("Chỉ dùng số liệu đã duyệt")
    reports = SelectMultipleField("Các báo cáo đơn vị phải gửi", validate_choice=False)


class AgencyAddForm(PageForm):
    """A new agency (sở, ban, ngành; UBND of a commune) of a unit."""

    name = StringField("Tên cơ quan", filters=[_strip], validators=[_required("Hãy nhập tên cơ quan.")])


class AgencyRenameForm(PageForm):
    """An agency of the unit and its new name (the old one is kept as an alias)."""

    agency = StringField("Cơ quan", filters=[_strip], validators=[_required("Hãy chọn cơ quan.")])
    new_name = StringField("Tên mới", filters=[_strip], validators=[_required("Hãy nhập tên mới của cơ quan.")])


class AgencyAliasForm(PageForm):
    """Another way the unit's plans write one of its agencies."""

    agency = StringField("Cơ quan", filters=[_strip], validators=[_required("Hãy chọn cơ quan.")])
    alias = StringField("Tên gọi khác", filters=[_strip], validators=[_required("Hãy nhập tên gọi khác.")])


class AgencyMergeForm(PageForm):
    """Departments merged into one (an existing agency of the unit, or a new name)."""

    olds = SelectMultipleField("Các cơ quan được hợp nhất", validate_choice=False,
                               validators=[_required("Hãy chọn ít nhất một cơ quan để hợp nhất.")])
    into = StringField("Cơ quan sau hợp nhất", filters=[_strip],
                       validators=[_required("Hãy nhập tên cơ quan sau hợp nhất.")])


def _check_choice(field: Field, allowed: set[str], label: str, may_be_empty: bool = False) -> None:
    """Add an error to ``field`` unless its value is one of ``allowed`` (or empty when allowed)."""
    value = field.data or ""
    if not value:
        if not may_be_empty:
            field.errors = [*field.errors, f"Hãy chọn {label.lower()}."]
        return
    if value not in allowed:
        field.errors = [*field.errors, f"{label} '{value}' không thuộc phạm vi quản lý của bạn."]


def _password_rules(message: str) -> list[Any]:
    return [_required(message), Length(min=8, message="Mật khẩu phải có ít nhất 8 ký tự.")]


class EmailField(StringField):
    """An e-mail address, optional: ``data`` is the address with its domain lower-cased, or ""."""

    def pre_validate(self, form: Any) -> None:
        """Refuse text that is not an address (the one check: reportsvc.config.normal_email)."""
        try:
            self.data = normal_email(self.data or "")
        except ValueError as exc:
            raise StopValidation(str(exc)) from None


class UserCreateForm(PageForm):
    """A new account of the admin's unit or below: role admin, editor or viewer; an agency optional."""

    username = StringField("Tên đăng nhập", filters=[_strip], validators=[_required("Hãy nhập tên đăng nhập.")])
    full_name = StringField("Họ và tên", filters=[_strip])
    role = SelectField("Vai trò", validate_choice=False, validators=[_required("Hãy chọn vai trò.")])
    unit = SelectField("Đơn vị", validate_choice=False)
    agency = SelectField("Cơ quan", validate_choice=False)
    email = EmailField("Thư điện tử", filters=[_strip])
    password = PasswordField("Mật khẩu", validators=_password_rules("Hãy nhập mật khẩu."))

    def validate_role(self, field: Field) -> None:
        """Refuse a role the web may not give (superadmin is created on the command line only)."""
        if field.data not in WEB_ROLES:
            raise ValidationError(f"Vai trò không hợp lệ: '{field.data}'. Chọn một trong: {', '.join(WEB_ROLES)}.")


class UserUnitForm(PageForm):
    """A user's new unit and agency."""

    unit = SelectField("Đơn vị", validate_choice=False)
    agency = SelectField("Cơ quan", validate_choice=False)


class UserEmailForm(PageForm):
    """A user's e-mail address for reminders (empty: none)."""

    email = EmailField("Thư điện tử", filters=[_strip])


class PasswordResetForm(PageForm):
    """A new password for a user."""

    password = PasswordField("Mật khẩu mới", validators=_password_rules("Hãy nhập mật khẩu mới."))
