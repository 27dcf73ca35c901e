"""The one import a plugin author needs: ``from reportsvc.plugin import hookimpl, AreaSpec, …``.

Everything a plugin declares (AreaSpec, IndicatorSpec), receives (CollectContext), builds
(AreaSection, TaskItem, IndicatorRow, DocumentRef, AnnexTable, Chart …) and may call while
collecting (standard_section and its helpers, ``fmt`` for Vietnamese numbers in narrative text)
is re-exported here; the modules behind it may move, this facade does not.
"""
from reportsvc.collect.completeness import CompletenessRow, completeness
from reportsvc.collect.context import (PER_YEAR_KINDS, CollectContext, applies_in_year, completed_before,
                                       deadline_in_year, find_plan, governing_plans, is_multi_year, latest_update,
                                       listed_in_year, period_end, period_year, predecessors, task_ids_in_year)
from reportsvc.collect.standard import (documents_in_window, due_in, lead_names, standard_paragraphs,
                                        standard_section, task_item)
from reportsvc.collect.rollup import achieved, indicator_rows, indicator_value, own_value
from reportsvc.areas.declarations import AREA_PARTS, ROLLUPS, VALUE_TYPES, AreaSpec, IndicatorSpec
from reportsvc.hooks.specs import hookimpl
from reportsvc.report.model import (AnnexTable, AreaSection, Cell, Chart, ChartSeries, DocumentRef, IndicatorRow,
                                    Measure, NarrativeSection, Percent, Report, Submission, SubmissionState, TaskItem,
                                    TaskStatus, Timeliness, Unapproved)
from reportsvc.status import CLASSES, DONE, RECORDED
from reportsvc.vn import format as fmt
from reportsvc.vn.numerals import roman

__all__ = [
    "CLASSES", "DONE", "RECORDED", "Cell", "CompletenessRow", "Measure", "Percent", "Submission", "TaskStatus",
    "completeness", "roman", "AREA_PARTS", "ROLLUPS", "VALUE_TYPES", "AnnexTable", "AreaSection", "AreaSpec", "Chart", "ChartSeries",
    "CollectContext", "DocumentRef", "IndicatorRow", "IndicatorSpec", "NarrativeSection", "Report", "TaskItem",
    "achieved", "documents_in_window", "due_in", "find_plan", "fmt", "hookimpl", "indicator_rows",
    "indicator_value", "latest_update", "lead_names", "own_value", "period_end", "predecessors", "standard_paragraphs", "standard_section", "task_item",
    "PER_YEAR_KINDS", "applies_in_year", "completed_before", "deadline_in_year", "governing_plans", "is_multi_year",
    "listed_in_year", "period_year", "task_ids_in_year", "SubmissionState", "Timeliness", "Unapproved",
]
