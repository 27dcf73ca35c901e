"""The standard section of an area: tasks by status, overdue and upcoming, documents, indicators, narrative."""
from __future__ import annotations

from datetime import date

from reportsvc.areas.declarations import AreaSpec
from reportsvc.collect.context import CollectContext, deadline_in_year, latest_update
from reportsvc.collect.rollup import indicator_rows
from reportsvc.db.models import Task
from reportsvc.periods import CutoffRule
from reportsvc.report.model import AreaSection, DocumentRef, IndicatorRow, TaskItem
from reportsvc.status import DONE, classify
from reportsvc.vn import format as fmt
from reportsvc.vn.text import one_line

def lead_names(task: Task) -> str:
    """Return the task's lead agencies joined with "; " (the raw cell if none were resolved)."""
    names = [ta.agency.name for ta in task.agencies if ta.role == "lead"]
    return "; ".join(names) or task.lead_text


def task_item(task: Task, as_of: date, cutoff: CutoffRule) -> TaskItem:
    """Return the report view of a task as of the end of a data window."""
    update = latest_update(task, as_of, cutoff)
    deadline = deadline_in_year(task, as_of.year)
    status = classify(update.status if update else None, update.completed_on if update else None, deadline, as_of)
    documents = []
    if update and update.evidence_number:
        documents.append(DocumentRef(update.evidence_number, update.evidence_date, update.evidence_title))
    return TaskItem(number=task.number, title=task.title, lead=lead_names(task), deadline=task.deadline_raw,
                    status=status, activity=task.activity, product=task.product,
                    deadline_end=deadline, result=update.result if update else "", documents=documents)


def documents_in_window(tasks: list[Task], start: date, end: date) -> list[DocumentRef]:
    """Return the văn bản recorded as evidence with a date inside [start, end], oldest first."""
    seen: dict[str, DocumentRef] = {}
    for task in tasks:
        for update in task.updates:
            if update.evidence_number and update.evidence_date and start <= update.evidence_date <= end:
                seen.setdefault(update.evidence_number,
                                DocumentRef(update.evidence_number, update.evidence_date, update.evidence_title))
    return sorted(seen.values(), key=lambda d: (d.date, d.number))


def due_in(tasks: list[Task], start: date, end: date) -> list[Task]:
    """Return tasks whose deadline window ends inside [start, end] or that are continuous/recurring."""
    return [t for t in tasks if (t.deadline_end and start <= (deadline_in_year(t, end.year) or end) <= end)
            or t.deadline_kind in ("continuous", "recurrence")]


def standard_section(area: AreaSpec, context: CollectContext) -> AreaSection:
    """Collect an area the standard way: tasks by status, overdue, documents, indicators, narrative."""
    start, end = context.window
    tasks = context.tasks(area.code)
    items = [task_item(t, end, context.cutoff) for t in tasks]
    next_start, next_end = context.period.next().window(context.cutoff)
    upcoming_ids = {t.id for t in due_in(tasks, next_start, next_end)}
    upcoming = [item for t, item in zip(tasks, items) if t.id in upcoming_ids and item.status not in DONE]
    section = AreaSection(code=area.code, title=area.title, order=area.order, part=area.part,
                          tasks=items, overdue=[i for i in items if i.status == "overdue"], upcoming=upcoming,
                          documents=documents_in_window(tasks, start, end),
                          indicators=indicator_rows(context, area.code))
    section.paragraphs = standard_paragraphs(section, context.period.year - 1)
    return section


def task_counts(section: AreaSection) -> str:
    """Write a section's task counts the way officers do, leaving out every clause that would say zero.

    "Kế hoạch giao 15 nhiệm vụ; đến cuối kỳ đã hoàn thành 12/15 nhiệm vụ (80%), trong đó 10 nhiệm vụ
    đúng hạn, 2 nhiệm vụ quá hạn; 3 nhiệm vụ đang triển khai."
    """
    total, done = len(section.tasks), section.done()
    on_time, late = section.count("on_time"), section.count("late")
    text = f"Kế hoạch giao {total} nhiệm vụ; đến cuối kỳ "
    if done:
        text += f"đã hoàn thành {done}/{total} nhiệm vụ ({fmt.percent(done / total * 100)})"
        if late == 0:
            text += ", đúng hạn"
        elif on_time == 0:
            text += ", đều quá hạn"
        else:
            text += f", trong đó {on_time} nhiệm vụ đúng hạn, {late} nhiệm vụ quá hạn"
    else:
        text += "chưa hoàn thành nhiệm vụ nào"
    rest = [(section.count("in_progress"), "đang triển khai"), (section.count("not_started"), "chưa triển khai"),
            (len(section.overdue), "quá hạn chưa hoàn thành")]
    for count, words in rest:
        if count:
            text += f"; {count} nhiệm vụ {words}"
    return text + "."


def compared(row: IndicatorRow, last_year: int) -> str:
    """Return "tăng 19,6% so với cùng kỳ năm 2023" when both figures exist ("" otherwise).

    Percentages are compared in percentage points, counts by their relative change.
    """
    if row.actual is None or row.last_year is None:
        return ""
    difference = row.actual - row.last_year
    if abs(difference) < 1e-9:
        return f"bằng cùng kỳ năm {last_year}"
    direction = "tăng" if difference > 0 else "giảm"
    if row.unit == "%":
        return f"{direction} {fmt.number(abs(difference))} điểm phần trăm so với cùng kỳ năm {last_year}"
    if row.last_year == 0:
        return f"{direction} {fmt.measure(abs(difference), row.unit)} so với cùng kỳ năm {last_year}"
    return f"{direction} {fmt.percent(abs(difference) / abs(row.last_year) * 100)} so với cùng kỳ năm {last_year}"


def indicator_sentence(row: IndicatorRow, last_year: int | None = None) -> str:
    """Write one measured indicator: value, target and % achieved where known, change on the year before."""
    text = f"{row.name}: {fmt.measure(row.actual, row.unit)}"
    details = []
    if row.target is not None:
        target = f"chỉ tiêu {fmt.measure(row.target, row.unit)}"
        if row.achieved_percent is not None:
            target += f", đạt {fmt.percent(row.achieved_percent)} kế hoạch"
        details.append(target)
    change = compared(row, last_year) if last_year is not None else ""
    if change:
        details.append(change)
    return text + (f" ({'; '.join(details)})" if details else "")


def standard_paragraphs(section: AreaSection, last_year: int | None = None) -> list[str]:
    """Draft the Vietnamese narrative of a section from its counts, documents and indicators.

    Only what the data say is written; ``last_year`` (the year of "cùng kỳ") adds the comparisons.
    """
    if not section.tasks:
        paragraphs = ["Trong kỳ, kế hoạch không giao nhiệm vụ cụ thể thuộc lĩnh vực này."]
    else:
        paragraphs = [task_counts(section)]
    if section.documents:
        docs = "; ".join(fmt.document_reference(d.number, d.date, d.title) for d in section.documents)
        paragraphs.append(f"Các văn bản đã ban hành trong kỳ: {docs}.")
    measured = [row for row in section.indicators if row.actual is not None]
    if measured:
        paragraphs.append("Kết quả các chỉ tiêu: " + "; ".join(indicator_sentence(row, last_year)
                                                                for row in measured) + ".")
    if section.overdue:
        names = "; ".join(f"{one_line(t.title)} ({one_line(t.lead)})" for t in section.overdue[:5])
        paragraphs.append(f"Nhiệm vụ quá hạn chưa hoàn thành: {names}.")
    return paragraphs
