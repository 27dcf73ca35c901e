"""The standard section of an area: tasks by status, overdue and upcoming, documents, indicators, narrative."""
from __future__ import annotations

from datetime import date

from reportsvc.areas.declarations import AreaSpec
from reportsvc.collect.context import CollectContext, deadline_in_year, latest_update
from reportsvc.collect.rollup import indicator_rows
from reportsvc.db.models import Task
from reportsvc.periods import CutoffRule
from reportsvc.report.model import AreaSection, DocumentRef, TaskItem
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
    section.paragraphs = standard_paragraphs(section)
    return section


def standard_paragraphs(section: AreaSection) -> list[str]:
    """Draft the Vietnamese narrative of a section from its counts, documents and indicators."""
    total = len(section.tasks)
    if total == 0:
        return ["Trong kỳ, kế hoạch không giao nhiệm vụ cụ thể thuộc lĩnh vực này."]
    done = section.done()
    paragraphs = [
        f"Kế hoạch giao {total} nhiệm vụ; đến cuối kỳ đã hoàn thành {done} nhiệm vụ "
        f"({fmt.percent(done / total * 100)}), trong đó {section.count('on_time')} nhiệm vụ hoàn thành đúng hạn, "
        f"{section.count('late')} nhiệm vụ hoàn thành quá hạn; {section.count('in_progress')} nhiệm vụ đang "
        f"thực hiện; {section.count('not_started')} nhiệm vụ chưa thực hiện; {len(section.overdue)} nhiệm vụ "
        f"quá hạn chưa hoàn thành."
    ]
    if section.documents:
        docs = "; ".join(fmt.document_reference(d.number, d.date, d.title) for d in section.documents)
        paragraphs.append(f"Các văn bản đã ban hành trong kỳ: {docs}.")
    measured = [row for row in section.indicators if row.actual is not None]
    if measured:
        parts = []
        for row in measured:
            text = f"{row.name}: {fmt.measure(row.actual, row.unit)}"
            if row.target is not None:
                text += f" (chỉ tiêu {fmt.measure(row.target, row.unit)}"
                text += f", đạt {fmt.percent(row.achieved_percent)} kế hoạch)" if row.achieved_percent is not None else ")"
            parts.append(text)
        paragraphs.append("Kết quả các chỉ tiêu: " + "; ".join(parts) + ".")
    if section.overdue:
        names = "; ".join(f"{one_line(t.title)} ({one_line(t.lead)})" for t in section.overdue[:5])
        paragraphs.append(f"Nhiệm vụ quá hạn chưa hoàn thành: {names}.")
    return paragraphs

