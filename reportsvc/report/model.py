"""The report model: plain dataclasses built from the area plugins and read by the renderers.

Nothing here touches the database; renderers read only these objects.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Union

from reportsvc.status import CLASSES, DONE
from reportsvc.vn import format as fmt


@dataclass
class DocumentRef:
    """A văn bản issued: số/ký hiệu, date and trích yếu."""

    number: str
    date: date | None
    title: str = ""


@dataclass
class TaskItem:
    """One plan task as the report shows it."""

    number: str
    title: str
    lead: str
    deadline: str
    status: str  # a key of reportsvc.status.CLASSES
    activity: str = ""
    product: str = ""
    deadline_end: date | None = None
    result: str = ""
    documents: list[DocumentRef] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        """Return the Vietnamese label of the status ("Hoàn thành đúng hạn"); not stored in the model."""
        return CLASSES.get(self.status, self.status)


@dataclass
class IndicatorRow:
    """An indicator with its target, actual value, % achieved and same period last year."""

    code: str
    name: str
    unit: str
    target: float | None
    actual: float | None
    achieved_percent: float | None
    last_year: float | None
    target_text: str = ""
    higher_is_better: bool = True
    rolled_up_from: int = 0  # how many child units contributed (0: the unit's own value)


@dataclass
class AreaSection:
    """What an area plugin collects for a unit and period."""

    code: str
    title: str
    order: int
    plugin: str = ""
    part: str = "results"  # "direction" (part I of the report) or "results" (a subsection of part II)
    tasks: list[TaskItem] = field(default_factory=list)
    overdue: list[TaskItem] = field(default_factory=list)
    upcoming: list[TaskItem] = field(default_factory=list)  # due in the next period
    documents: list[DocumentRef] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    missing: str = ""  # set when the plugin failed and --skip-broken was used

    def count(self, status: str) -> int:
        """Return how many of this area's tasks are in the given status class."""
        return sum(1 for task in self.tasks if task.status == status)

    def done(self) -> int:
        """Return how many of this area's tasks are completed (on time or late)."""
        return sum(1 for task in self.tasks if task.status in DONE)

    def measured(self, code: str) -> IndicatorRow | None:
        """Return the indicator row with ``code`` if it has an actual value for the period, else None."""
        return next((row for row in self.indicators if row.code == code and row.actual is not None), None)


@dataclass(frozen=True)
class Measure:
    """A value with its unit of measure: shown "94,5%" when the unit is "%", else "1.234"."""

    value: float | None
    unit: str = ""


@dataclass(frozen=True)
class Percent:
    """A share in percent units (94.5), shown "94,5%"."""

    value: float | None


@dataclass(frozen=True)
class TaskStatus:
    """A task's report class, a key of reportsvc.status.CLASSES; shown as its Vietnamese label."""

    key: str


@dataclass(frozen=True)
class Submission:
    """Whether an agency or unit has reported in the period; shown "Đã báo cáo" or "Chưa báo cáo"."""

    reported: bool


SUBMISSION_STATES = {"draft": "Chưa nộp", "submitted": "Đã nộp, chờ duyệt", "approved": "Đã duyệt",
                     "returned": "Bị trả lại"}
"""The states of a party's data for a window: "draft" (nothing submitted) and the stored submission states."""


@dataclass(frozen=True)
class SubmissionState:
    """Where a party's data for the window stand: "Chưa nộp", "Đã nộp, chờ duyệt", "Đã duyệt", "Bị trả lại"."""

    state: str  # a key of SUBMISSION_STATES

    @property
    def label(self) -> str:
        """Return the Vietnamese label of the state."""
        return SUBMISSION_STATES.get(self.state, self.state)


TIMELINESS = {"on_time": "Đúng hạn", "late": "Muộn", "missing": "Chưa nộp", "not_due": "Chưa đến hạn",
              "no_deadline": "Đã nộp"}
"""The keys of Timeliness: submitted by the deadline, after it, not submitted (deadline passed or none set),
not submitted and not yet due, submitted where no deadline is set."""


@dataclass(frozen=True)
class Timeliness:
    """A party's first submission against its deadline: "Đúng hạn", "Muộn (3 ngày)", "Chưa nộp", "Chưa đến hạn"."""

    key: str  # a key of TIMELINESS
    days_late: int = 0  # for "late": days after the deadline

    @property
    def label(self) -> str:
        """Return the Vietnamese label ("Muộn (3 ngày)" for a submission three days late)."""
        if self.key == "late":
            return f"Muộn ({fmt.number(self.days_late)} ngày)"
        return TIMELINESS.get(self.key, self.key)


@dataclass(frozen=True)
class Unapproved:
    """A party's records of the window not yet approved, left out of a report from approved data only.

    Shown "2 nhiệm vụ, 1 chỉ tiêu" (task statuses and indicator values); "" when there are none.
    """

    tasks: int = 0
    values: int = 0

    @property
    def label(self) -> str:
        """Return "2 nhiệm vụ, 1 chỉ tiêu", leaving out a count of zero."""
        counts = ((self.tasks, "nhiệm vụ"), (self.values, "chỉ tiêu"))
        parts = [f"{fmt.number(count)} {noun}" for count, noun in counts if count]
        return ", ".join(parts)


Cell = Union[str, int, float, date, Measure, Percent, TaskStatus, Submission, SubmissionState, Timeliness,
             Unapproved, None]
"""A typed annex cell; reportsvc.render formats each kind once (numbers and dates for vi_VN)."""


@dataclass
class AnnexTable:
    """A table in the annexes: a title (the view numbers it "Phụ lục I." …), column headers, typed cells."""

    title: str
    columns: list[str]
    rows: list[list[Cell]]
    key: str = ""
    widths: list[float] = field(default_factory=list)  # relative column widths
    group_rows: list[int] = field(default_factory=list)  # indexes of rows that head a group (an area)


@dataclass
class ChartSeries:
    """One named series of values for a chart."""

    name: str
    values: list[float]


@dataclass
class Chart:
    """A chart as data: categories on one axis, one or more series; renderers draw it."""

    key: str
    title: str
    kind: str  # "stacked_bar" | "bar"
    categories: list[str]
    series: list[ChartSeries]
    unit: str = ""


@dataclass
class Header:
    """The header block of an administrative document (Nghị định 30/2020)."""

    parent_body: str  # "UBND TỈNH HÀ TĨNH" or "" when the UBND issues the report itself
    issuing_body: str  # "SỞ NỘI VỤ" or "ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH"
    number: str  # "Số: 15/BC-UBND" or "Số:      /BC-UBND" for a draft
    place_date: str  # "Hà Tĩnh, ngày 05 tháng 01 năm 2024"


@dataclass
class Signature:
    """The signature block: authority line(s), position and signer's name."""

    authority: str  # "TM. ỦY BAN NHÂN DÂN" or "KT. CHỦ TỊCH"
    position: str  # "CHỦ TỊCH" or "PHÓ CHỦ TỊCH"
    name: str


@dataclass
class NarrativeSection:
    """A numbered part of the report body (I … V) with optional sub-headings and paragraphs."""

    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list["NarrativeSection"] = field(default_factory=list)
    edited: bool = False  # True when the text comes from the officer's draft


@dataclass
class CompletenessEntry:
    """A lead agency, or a unit below, in the report's completeness: what it reported and when it submitted."""

    name: str
    kind: str  # "agency" | "unit"
    unit_kind: str  # the unit's kind ("xa", "phuong" …); "" for an agency
    level: int  # depth below the report's unit (0 for an agency)
    assigned: int  # tasks it leads (or its plan's tasks) that apply to the period
    reported: int  # of those, tasks with a status update in the window
    has_values: bool
    submission: SubmissionState
    submitted_on: date | None
    deadline: date | None
    timeliness: Timeliness


@dataclass
class PeriodInfo:
    """The report's period: key, Vietnamese label and data window."""

    key: str
    label: str
    start: date
    end: date


@dataclass
class Report:
    """Everything a renderer needs to produce the report files."""

    unit_code: str
    unit_name: str
    period: PeriodInfo
    header: Header
    doc_kind: str  # "BÁO CÁO"
    subject: str  # trích yếu
    sections: list[NarrativeSection]
    areas: list[AreaSection]
    signature: Signature
    recipients: list[str]
    annexes: list[AnnexTable] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    agency: str = ""  # an agency's own report: its name ("Sở Nội vụ"); "" for the unit's report
    agency_id: int | None = None
    agency_code: str = ""  # the symbol's issuer part ("SNV" of BC-SNV), in file names
    unit_kind: str = ""  # the unit's kind ("tinh", "xa" …)
    period_kind: str = ""  # "Q", "H", "M" or "Y"
    completeness: list[CompletenessEntry] = field(default_factory=list)

    def all_sections(self) -> list[NarrativeSection]:
        """Return every narrative section and subsection in reading order."""
        found: list[NarrativeSection] = []

        def walk(sections: list[NarrativeSection]) -> None:
            for section in sections:
                found.append(section)
                walk(section.subsections)

        walk(self.sections)
        return found

    def section(self, key: str) -> NarrativeSection:
        """Return the narrative section with ``key`` ("mo_dau", "I", "II", "II.<area>", "IV" …); KeyError if none."""
        for section in self.all_sections():
            if section.key == key:
                return section
        raise KeyError(key)

    def to_json(self) -> str:
        """Return the model as JSON (dates as ISO strings), as kept in the archive."""
        return json.dumps(dataclasses.asdict(self), ensure_ascii=False, default=_json_default, indent=1)


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
