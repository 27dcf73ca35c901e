"""A unit's report settings: a documented, validated set of keys with sensible defaults.

The keys (``reportsvc units settings CODE --set KEY=VALUE``, the web's settings page and the
API all use these names):

=================  ================================================================================
``parent_body``     the body above the issuer, in the header's first line ("UBND TỈNH HÀ TĨNH" when a
                    department issues the report); empty: none
``issuing_body``    the issuer ("SỞ NỘI VỤ"); empty: "ỦY BAN NHÂN DÂN <unit name>"
``place``           the place name in "Hà Tĩnh, ngày … tháng … năm …" (stored on ``Unit.place``)
``doc_symbol``      the document symbol after the number: "BC-UBND", "BC-SNV" (starts with "BC-")
``sign_authority``  the signing authority: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH" (TM., KT., TL., TUQ., Q.)
``signer_position`` the signer's position: "CHỦ TỊCH", "PHÓ CHỦ TỊCH"
``signer_name``     the signer's full name
``recipients``      the "Nơi nhận" list; several values separated by ";" (or new lines), each line
                    ends with ";" and the last with "." as Nghị định 30/2020/NĐ-CP writes them; default
                    "Bộ Nội vụ" for a province, "UBND <its parent> (b/c)" for a unit below one
``report_request``  the superior body's request the report answers, cited in its opening after the plan
                    ("Công văn số 125/SNV-CCHC ngày 01/3/2025 của Sở Nội vụ về việc báo cáo …"); empty: none
``cutoff_day``      last day (1–28) of a data window (Nghị định 09/2019); empty: the installation's
                    default (REPORTSVC_CUTOFF_DAY)
``submission_day``  the deadline (1–28): the report is due on the first day with this number after
                    the data window closes (cut-off 14, submission 20: quý I is due on 20 March;
                    submission 10: on 10 April); empty: no deadline set
``data_due_day``    when the unit's departments and the units below it must submit their data: this day
                    (1–28) of the period's last month ("ngày 10 tháng cuối quý"); empty: no deadline
``reminder_days``   how many days (0–30) before that deadline reminders are mailed (default 3); a
                    second one goes the day after it to those still late
``approved_only``   "có": reports use only approved data (submissions approved by the compiling office);
                    default "không": whatever data exist
``reports``         which reports the unit files, any of Q1 (quý I), H1 (6 tháng), Q3 (quý III),
                    M9 (9 tháng), Y (năm), e.g. "Q1,H1,M9,Y"; stored as ``report_kinds``, the key the
                    scheduler reads
=================  ================================================================================

An empty value puts a key back to its default. The cut-off day of a unit without its own
``cutoff_day`` is the installation's default (REPORTSVC_CUTOFF_DAY). The runtime puts that
default in the ``info`` of every session it makes (:func:`session_info`), so :func:`settings_of`
finds it on any unit loaded through one, and no caller has to carry the settings object around.
"""
from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from sqlalchemy.orm import object_session

from reportsvc.db.models import Agency, Unit
from reportsvc.errors import Invalid
from reportsvc.periods import DEFAULT_CUTOFF, CutoffRule, Period
from reportsvc.vn.text import collapse, fold, nfc
from reportsvc.vn.units import full_name, proper_name
from reportsvc.vn.units import authority

DEFAULT_CUTOFF_KEY = "reportsvc.default_cutoff_day"
"""The key of the installation's default cut-off day in ``Session.info``."""

REPORT_KINDS = {"Q1": "quý I", "H1": "6 tháng", "Q3": "quý III", "M9": "9 tháng", "Y": "năm"}
"""The reports a unit may file, in the order of the year."""
DEFAULT_REPORTS = ("Q1", "H1", "Q3", "Y")
AUTHORITIES = ("TM.", "KT.", "TL.", "TUQ.", "Q.")
"""How Nghị định 30/2020/NĐ-CP opens a signing authority: thay mặt, ký thay, thừa lệnh, thừa ủy quyền, quyền."""
MAX_TEXT = 255
MAX_RECIPIENTS = 40
_SYMBOL = re.compile(r"^BC(-[A-ZĐ0-9&]+)+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SettingsError(Invalid):
    """Report settings that were refused; every reason is in Vietnamese, nothing was stored."""


@dataclass
class UnitSettings:
    """How a unit's reports are headed, signed and addressed, when its data windows close and what it files.

    Defaults give a report issued by the UBND itself ("ỦY BAN NHÂN DÂN TỈNH …").
    """

    parent_body: str = ""  # e.g. "UBND TỈNH HÀ TĨNH" when a department issues the report
    issuing_body: str = ""  # e.g. "SỞ NỘI VỤ"; default: "ỦY BAN NHÂN DÂN <unit name>"
    place: str = ""  # Unit.place, not stored in the JSON column
    doc_symbol: str = "BC-UBND"
    sign_authority: str = "TM. ỦY BAN NHÂN DÂN"
    signer_position: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=lambda: ["Bộ Nội vụ;", "Lưu: VT."])
    report_request: str = ""
    cutoff_day: int = DEFAULT_CUTOFF.end_day
    submission_day: int | None = None
    data_due_day: int | None = None
    reminder_days: int = 3
    approved_only: bool = False
    reports: list[str] = field(default_factory=lambda: list(DEFAULT_REPORTS))

    @property
    def cutoff(self) -> CutoffRule:
        """Return the unit's data cut-off rule."""
        return CutoffRule(end_day=self.cutoff_day)

    def data_due(self, period: Period) -> date | None:
        """Return the day the unit's departments and lower units must submit the period's data, or None."""
        if self.data_due_day is None:
            return None
        return date(period.year, period.last_month, self.data_due_day)


# ---------------------------------------------------------------- the keys and their checks

def _text(label: str, upper: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = collapse(nfc(_one(value, label)))
        if _CONTROL.search(text):
            raise ValueError(f"{label} chứa ký tự điều khiển.")
        if len(text) > MAX_TEXT:
            raise ValueError(f"{label} dài quá {MAX_TEXT} ký tự.")
        return text.upper() if upper else text
    return parse


def _one(value: Any, label: str) -> str:
    """Return a single text value; a list is accepted only with one item."""
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueError(f"{label} chỉ nhận một giá trị.")
        value = value[0]
    return "" if value is None else str(value)


def _day(label: str) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        text = _one(value, label).strip()
        if not text.isdigit() or not 1 <= int(text) <= 28:
            raise ValueError(f"{label} không hợp lệ: '{text}' (cần số nguyên từ 1 đến 28).")
        return int(text)
    return parse


def _days_before(value: Any) -> int:
    text = _one(value, "Số ngày nhắc trước hạn").strip()
    if not text.isdigit() or not 0 <= int(text) <= 30:
        raise ValueError(f"Số ngày nhắc trước hạn không hợp lệ: '{text}' (cần số nguyên từ 0 đến 30).")
    return int(text)


YES = ("có", "co", "yes", "true", "1")
NO = ("không", "khong", "no", "false", "0")


def _yes_no(label: str) -> Callable[[Any], bool]:
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = nfc(_one(value, label)).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(f"{label} không hợp lệ: '{text}' (ghi 'có' hoặc 'không').")
    return parse


def _symbol(value: Any) -> str:
    text = "".join(nfc(_one(value, "Ký hiệu văn bản")).split()).upper()
    if len(text) > 32 or not _SYMBOL.match(text):
        raise ValueError(f"Ký hiệu văn bản không hợp lệ: '{text}' (dạng BC-UBND, BC-SNV: bắt đầu bằng 'BC-', "
                         f"chỉ gồm chữ in hoa, số và dấu '-').")
    return text


def _authority(value: Any) -> str:
    text = _text("Thẩm quyền ký", upper=True)(value)
    if not any(text.startswith(prefix + " ") or text == prefix for prefix in AUTHORITIES):
        raise ValueError(f"Thẩm quyền ký không hợp lệ: '{text}' (bắt đầu bằng {', '.join(AUTHORITIES)}, "
                         f"ví dụ 'TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH').")
    return text


def split_recipients(value: Any) -> list[str]:
    """Return the recipients written in ``value`` (text separated by ";" or new lines, or a list of such)."""
    parts = value if isinstance(value, (list, tuple)) else [value]
    items: list[str] = []
    for part in parts:
        for item in re.split(r"[;\n\r]", "" if part is None else str(part)):
            text = collapse(nfc(item)).strip(" ;.-–+•")
            if text:
                items.append(text)
    return items


def _recipients(value: Any) -> list[str]:
    items = split_recipients(value)
    if len(items) > MAX_RECIPIENTS:
        raise ValueError(f"Nơi nhận có {len(items)} dòng, tối đa {MAX_RECIPIENTS}.")
    for item in items:
        if _CONTROL.search(item) or len(item) > MAX_TEXT:
            raise ValueError(f"Nơi nhận '{item[:40]}…' dài quá {MAX_TEXT} ký tự.")
    return [f"{item};" for item in items[:-1]] + [f"{items[-1]}."] if items else []


def _reports(value: Any) -> list[str]:
    parts = value if isinstance(value, (list, tuple)) else [value]
    codes = [code.strip().upper() for part in parts for code in re.split(r"[,;\s]+", str(part or ""))
             if code.strip()]
    unknown = [code for code in codes if code not in REPORT_KINDS]
    if unknown or not codes:
        choices = ", ".join(f"{code} ({label})" for code, label in REPORT_KINDS.items())
        raise ValueError(f"Báo cáo phải gửi không hợp lệ: '{', '.join(unknown) or ''}' (chọn trong: {choices}; "
                         f"ví dụ Q1,H1,M9,Y).")
    return [code for code in REPORT_KINDS if code in codes]


@dataclass(frozen=True)
class SettingKey:
    """One documented setting: its key, label, help text, how a typed value is checked, where it is stored."""

    key: str
    label: str
    help: str
    parse: Callable[[Any], Any]
    stored_as: str = ""  # the key in Unit.settings ("" for the same key; "place" lives on Unit.place)
    multiple: bool = False  # several values (separated by ";" or repeated)

    @property
    def storage(self) -> str:
        """Return the key in ``Unit.settings`` under which the value is kept."""
        return self.stored_as or self.key


KEYS: dict[str, SettingKey] = {spec.key: spec for spec in (
    SettingKey("parent_body", "Cơ quan cấp trên", "dòng đầu của tiêu đề khi một cơ quan chuyên môn ban hành, "
               "ví dụ 'UBND TỈNH HÀ TĨNH'", _text("Cơ quan cấp trên", upper=True)),
    SettingKey("issuing_body", "Cơ quan ban hành", "ví dụ 'SỞ NỘI VỤ'; để trống: Ủy ban nhân dân của đơn vị",
               _text("Cơ quan ban hành", upper=True)),
    SettingKey("place", "Địa danh", "địa danh ghi trước ngày tháng, ví dụ 'Hà Tĩnh'", _text("Địa danh"),
               stored_as="place"),
    SettingKey("doc_symbol", "Ký hiệu văn bản", "ví dụ BC-UBND, BC-SNV", _symbol),
    SettingKey("sign_authority", "Thẩm quyền ký", "TM., KT., TL., TUQ. hoặc Q., ví dụ 'KT. CHỦ TỊCH'",
               _authority),
    SettingKey("signer_position", "Chức vụ người ký", "ví dụ 'PHÓ CHỦ TỊCH'", _text("Chức vụ người ký", upper=True)),
    SettingKey("signer_name", "Họ tên người ký", "ví dụ 'Nguyễn Văn A'", _text("Họ tên người ký")),
    SettingKey("recipients", "Nơi nhận", "các nơi nhận, phân cách bởi ';'", _recipients, multiple=True),
    SettingKey("report_request", "Văn bản yêu cầu báo cáo", "văn bản của cấp trên yêu cầu báo cáo, được trích dẫn "
               "ở đoạn mở đầu, ví dụ 'Công văn số 125/SNV-CCHC ngày 01/3/2025 của Sở Nội vụ về việc báo cáo …'",
               _text("Văn bản yêu cầu báo cáo")),
    SettingKey("cutoff_day", "Ngày chốt số liệu", "ngày cuối (1–28) của kỳ số liệu", _day("Ngày chốt số liệu")),
    SettingKey("submission_day", "Hạn gửi báo cáo", "ngày (1–28) đầu tiên mang số này sau khi kỳ số liệu khép lại",
               _day("Hạn gửi báo cáo")),
    SettingKey("data_due_day", "Hạn nộp số liệu của cơ quan, đơn vị cấp dưới",
               "ngày (1–28) của tháng cuối kỳ, ví dụ 10: ngày 10 tháng cuối quý", _day("Hạn nộp số liệu")),
    SettingKey("reminder_days", "Nhắc trước hạn (ngày)", "số ngày (0–30) trước hạn nộp số liệu thì gửi thư nhắc",
               _days_before),
    SettingKey("approved_only", "Chỉ dùng số liệu đã duyệt", "'có' hoặc 'không' (mặc định)",
               _yes_no("Chỉ dùng số liệu đã duyệt")),
    SettingKey("reports", "Báo cáo phải gửi", "Q1, H1, Q3, M9, Y (quý I, 6 tháng, quý III, 9 tháng, năm)",
               _reports, stored_as="report_kinds", multiple=True),
)}
INPUT_ALIASES = {"report_kinds": "reports"}
"""Other names accepted for a key (the scheduler's and the web form's name of ``reports``)."""


def key_of(name: str) -> str:
    """Return the documented key written ``name``; raise SettingsError naming the valid keys otherwise."""
    key = INPUT_ALIASES.get(name.strip(), name.strip())
    if key not in KEYS:
        raise SettingsError([f"Không có thiết lập '{name}'. Các thiết lập hợp lệ: {', '.join(KEYS)}."])
    return key


def validate_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the checked values of ``changes`` by key (None: back to the default); every refusal at once.

    A value may be text (recipients separated by ";"), a list (recipients, reports) or a number
    (days). Raises SettingsError with one Vietnamese reason per bad key.
    """
    checked: dict[str, Any] = {}
    errors: list[str] = []
    for name, value in changes.items():
        key = key_of(name)
        if value is None or (isinstance(value, str) and not value.strip()) or \
                (isinstance(value, (list, tuple)) and not any(str(v or "").strip() for v in value)):
            checked[key] = None
            continue
        try:
            checked[key] = KEYS[key].parse(value if isinstance(value, bool) or not isinstance(value, int)
                                           else str(value))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise SettingsError(errors)
    return checked


def _store(stored: dict[str, Any], checked: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Put checked values into ``stored`` (None removes a key); return (old, new) of the keys that changed."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key, value in checked.items():
        storage = KEYS[key].storage
        before = stored.get(storage)
        if value is None:
            stored.pop(storage, None)
        else:
            stored[storage] = value
        if before != stored.get(storage):
            old[key], new[key] = before, stored.get(storage)
    return old, new


def apply_changes(unit: Unit, checked: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store checked values on ``unit``; return (old, new) of the keys that really changed, for the audit."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    checked = dict(checked)
    if "place" in checked:
        value = checked.pop("place") or proper_name(unit.name, unit.kind)
        if value != unit.place:
            old["place"], new["place"] = unit.place, value
            unit.place = value
    stored = dict(unit.settings or {})
    changed_old, changed_new = _store(stored, checked)
    if changed_new or changed_old:
        unit.settings = stored  # a new dict, so the JSON column is seen as changed
    return {**old, **changed_old}, {**new, **changed_new}


# ---------------------------------------------------------------- an agency's own reports

AGENCY_KEYS = ("doc_symbol", "sign_authority", "signer_position", "signer_name", "recipients")
"""What an agency sets for its own reports; the rest (cut-off, reports filed) is its unit's."""
_HEADS = (("sở", "GIÁM ĐỐC"), ("văn phòng", "CHÁNH VĂN PHÒNG"), ("thanh tra", "CHÁNH THANH TRA"),
          ("ban", "TRƯỞNG BAN"), ("phòng", "TRƯỞNG PHÒNG"))


def _head_of(name: str) -> str:
    """Return the position of the head who signs an agency's report ("Sở Nội vụ" → "GIÁM ĐỐC")."""
    lowered = name.lower()
    return next((head for word, head in _HEADS if lowered.startswith(word + " ")), "THỦ TRƯỞNG CƠ QUAN")


def _initials(name: str) -> str:
    """Return an agency's usual abbreviation from its name: "Sở Nội vụ" → "SNV"."""
    words = [w for w in re.split(r"[\s,]+", fold_upper(name)) if w and w not in ("VA", "CUA")]
    return "".join(w[0] for w in words)[:12] or "CQ"


def fold_upper(text: str) -> str:
    """Return ``text`` in capitals without diacritics (Đ becomes D), as document symbols are written."""
    return fold(text).upper()


def validate_agency_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Return the checked values of an agency's report settings; refuse keys that belong to its unit."""
    wrong = [name for name in changes if key_of(name) not in AGENCY_KEYS]
    if wrong:
        raise SettingsError([f"Cơ quan chỉ đặt được: {', '.join(AGENCY_KEYS)}; '{', '.join(wrong)}' là thiết lập "
                             f"của đơn vị."])
    return validate_changes(changes)


def apply_agency_changes(agency: Agency, checked: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store an agency's checked settings; return (old, new) of the keys that changed, for the audit."""
    stored = dict(agency.settings or {})
    old, new = _store(stored, checked)
    if new or old:
        agency.settings = stored
    return old, new


def agency_settings_of(agency: Agency) -> UnitSettings:
    """Return how an agency's own report is headed and signed: "UBND TỈNH …" over "SỞ …", BC-SNV, GIÁM ĐỐC.

    The unit's settings give the rest (place, cut-off, reports filed); the agency's own keys
    (AGENCY_KEYS) override the defaults drawn from its name.
    """
    unit = agency.unit
    result = settings_of(unit)
    result.parent_body = "UBND " + full_name(unit.name, unit.kind).upper()
    result.issuing_body = agency.name.upper()
    result.doc_symbol = f"BC-{fold_upper(agency.short_name) or _initials(agency.name)}"
    result.sign_authority, result.signer_position, result.signer_name = "", _head_of(agency.name), ""
    result.recipients = [f"UBND {full_name(unit.name, unit.kind)} (b/c);", "Lưu: VT."]
    stored = agency.settings or {}
    for key in AGENCY_KEYS:
        if key in stored:
            setattr(result, key, stored[key])
    return result


def own_keys(unit: Unit) -> list[str]:
    """Return the keys the unit has set itself (the others take their defaults)."""
    stored = unit.settings or {}
    return [key for key, spec in KEYS.items() if key != "place" and spec.storage in stored]


def as_dict(unit: Unit) -> dict[str, Any]:
    """Return every documented key with the value the unit's reports use."""
    values = settings_of(unit)
    return {key: getattr(values, key) for key in KEYS}


# ---------------------------------------------------------------- reading

def session_info(default_cutoff_day: int) -> dict[str, Any]:
    """Return the ``Session.info`` entries that carry the installation's defaults for units."""
    return {DEFAULT_CUTOFF_KEY: default_cutoff_day}


def default_cutoff_day(unit: Unit) -> int:
    """Return the installation's default cut-off day for ``unit``'s session (14 for a detached unit)."""
    session = object_session(unit)
    return session.info.get(DEFAULT_CUTOFF_KEY, DEFAULT_CUTOFF.end_day) if session else DEFAULT_CUTOFF.end_day


def settings_of(unit: Unit) -> UnitSettings:
    """Return the unit's settings, ignoring unknown keys stored in ``unit.settings``.

    Read it while ``unit`` is attached to its session: a detached unit without its own
    cut-off day gets Nghị định 09/2019's 14, not the installation's default.
    """
    stored = unit.settings or {}
    known = {f.name for f in fields(UnitSettings)} - {"place"}
    values: dict[str, Any] = {}
    for name in known:
        storage = KEYS[name].storage if name in KEYS else name
        if storage in stored:
            values[name] = stored[storage]
    values.setdefault("cutoff_day", default_cutoff_day(unit))
    result = UnitSettings(**values)
    result.place = unit.place or (proper_name(unit.name, unit.kind) if unit.name else "")
    if not result.issuing_body:
        result.issuing_body = authority(unit.name, unit.kind)
    if "recipients" not in values and unit.parent is not None:  # a commune reports to its province, not to the Bộ
        result.recipients = [f"UBND {full_name(unit.parent.name, unit.parent.kind)} (b/c);", "Lưu: VT."]
    return result
