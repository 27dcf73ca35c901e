"""The standard annexes (tasks, indicators, completeness) and charts of every report.

A built-in plugin on ``reportsvc_report_extras`` with ``trylast=True``, using only the public
facade: a third party adds its own annexes the same way, or reorders and replaces these with a
hookwrapper. The view model numbers the annexes in their final order.
"""
from __future__ import annotations

from reportsvc.plugin import (CLASSES, AnnexTable, AreaSection, Chart, ChartSeries, CollectContext, Measure,
                              Percent, Report, Submission, TaskStatus, completeness, hookimpl, roman)

@hookimpl(trylast=True)
def reportsvc_report_extras(report: Report, context: CollectContext) -> list[AnnexTable | Chart]:
    """Return the three standard annexes and the two charts, built from the collected areas."""
    return [task_annex(report.areas), indicator_annex(report.areas), completeness_annex(context),
            status_chart(report.areas), indicator_chart(report.areas)]


def task_annex(areas: list[AreaSection]) -> AnnexTable:
    """Annex: every task with its status, grouped by area."""
    rows: list[list] = []
    groups = []
    for number, area in enumerate(areas, 1):
        groups.append(len(rows))
        rows.append([roman(number), area.title.upper(), "", "", "", ""])
        for task in area.tasks:
            evidence = "; ".join(f"{d.number} ngày {d.date:%d/%m/%Y}" if d.date else d.number for d in task.documents)
            rows.append([task.number, task.title, task.lead, task.deadline, TaskStatus(task.status),
                         "; ".join(x for x in (task.result, evidence) if x)])
    return AnnexTable(key="tasks", title="Danh mục nhiệm vụ và tình hình thực hiện",
                      columns=["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Kết quả, văn bản"],
                      rows=rows, widths=[0.8, 4, 2, 1.4, 1.5, 2.6], group_rows=groups)


def indicator_annex(areas: list[AreaSection]) -> AnnexTable:
    """Annex: indicators with target, actual, % achieved and the same period last year."""
    rows: list[list] = []
    groups = []
    for number, area in enumerate([a for a in areas if a.indicators], 1):
        groups.append(len(rows))
        rows.append([roman(number), area.title.upper(), "", "", "", "", ""])
        for i, row in enumerate(area.indicators, 1):
            rows.append([str(i), row.name, row.unit, Measure(row.target, row.unit), Measure(row.actual, row.unit),
                         Percent(row.achieved_percent), Measure(row.last_year, row.unit)])
    return AnnexTable(key="indicators", title="Kết quả thực hiện các chỉ tiêu",
                      columns=["TT", "Chỉ tiêu", "Đơn vị tính", "Kế hoạch", "Thực hiện", "Tỷ lệ đạt",
                               "Cùng kỳ năm trước"], rows=rows, widths=[0.8, 4.4, 1.3, 1.2, 1.2, 1.2, 1.4],
                      group_rows=groups)


COMPLETENESS_GROUPS = (("agency", "CÁC CƠ QUAN CHỦ TRÌ"), ("unit", "CÁC ĐƠN VỊ CẤP DƯỚI"))


def completeness_annex(context: CollectContext) -> AnnexTable:
    """Annex: for each lead agency, then each unit below, tasks assigned and reported in the window, and its
    submission of the window's data: state, first submitted, deadline, on time or late.

    When the unit's reports use only approved data, a last column names each one's records not yet approved,
    which the report leaves out.
    """
    approved_only = context.approved_only
    columns = ["TT", "Cơ quan, đơn vị", "Số nhiệm vụ được giao", "Số nhiệm vụ đã báo cáo", "Tình trạng báo cáo",
               "Nộp số liệu", "Ngày nộp", "Hạn nộp", "Đúng hạn, muộn"]
    widths = [9, 34, 15, 15, 16, 17, 22, 22, 15]  # mm of the 165 of A4 portrait: a date fits on one line
    if approved_only:
        columns.append("Số liệu chưa duyệt (không đưa vào báo cáo)")
        widths = [8, 25, 14, 14, 15, 16, 22, 22, 13, 16]
    found = completeness(context)
    rows: list[list] = []
    groups = []
    for kind, heading in COMPLETENESS_GROUPS:
        members = [row for row in found if row.kind == kind]
        if not members:
            continue
        groups.append(len(rows))
        rows.append([roman(len(groups)), heading] + [""] * (len(columns) - 2))
        for number, row in enumerate(members, 1):
            name = ("– " * (row.level - 1)) + row.name if row.kind == "unit" else row.name
            rows.append([str(number), name, row.assigned, row.reported, Submission(row.done), row.submission,
                         row.submitted_on, row.deadline, row.timeliness] + ([row.unapproved] if approved_only else []))
    return AnnexTable(key="completeness", title="Tình hình báo cáo, nộp số liệu của các cơ quan, đơn vị",
                      columns=columns, rows=rows, widths=widths, group_rows=groups)


def _short(name: str, limit: int = 48) -> str:
    """Return an indicator name cut at a word boundary to fit a chart label."""
    if len(name) <= limit:
        return name
    return name[:limit].rsplit(" ", 1)[0] + "…"


def status_chart(areas: list[AreaSection]) -> Chart:
    """Chart: task status by area as stacked bars."""
    return Chart(key="status", title="Tiến độ thực hiện nhiệm vụ theo lĩnh vực", kind="stacked_bar",
                 categories=[a.code for a in areas],
                 series=[ChartSeries(label, [float(a.count(key)) for a in areas]) for key, label in CLASSES.items()],
                 unit="nhiệm vụ")


def indicator_chart(areas: list[AreaSection]) -> Chart:
    """Chart: percentage indicators against their targets."""
    rows = [row for a in areas for row in a.indicators
            if row.unit == "%" and row.actual is not None and row.target is not None]
    return Chart(key="indicators", title="Các chỉ tiêu tỷ lệ (%) so với kế hoạch", kind="bar",
                 categories=[_short(row.name) for row in rows],
                 series=[ChartSeries("Kế hoạch", [row.target or 0.0 for row in rows]),
                         ChartSeries("Thực hiện", [row.actual or 0.0 for row in rows])], unit="%")
