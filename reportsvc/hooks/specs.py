"""Hook specifications for reportsvc plugins.

Every hook name starts with ``reportsvc_``. Implementations may accept fewer arguments than
the spec; arguments may be added later but are never renamed or removed. reportsvc always
calls hooks with keyword arguments.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from reportsvc.collect.context import CollectContext
    from reportsvc.db.models import Task
    from reportsvc.report.model import AnnexTable, AreaSection, Chart, Report
    from reportsvc.areas.declarations import AreaSpec, IndicatorSpec

hookspec = pluggy.HookspecMarker("reportsvc")
hookimpl = pluggy.HookimplMarker("reportsvc")
"""Marker for hook implementations in plugins: ``@hookimpl def reportsvc_areas(): …``."""


# ---------------------------------------------------------------------------------------------
# Declaration: called once when the plugin manager is built
# ---------------------------------------------------------------------------------------------

@hookspec
def reportsvc_areas() -> "list[AreaSpec]":
    """Declare the reform areas this plugin owns; called once at start-up, returns a list of AreaSpec.

    An area code may be declared by one plugin only; a plugin that declares an area must also
    implement ``reportsvc_collect_section``.
    """


@hookspec
def reportsvc_indicators() -> "list[IndicatorSpec]":
    """Declare the indicators of this plugin's areas; called once at start-up, returns IndicatorSpecs.

    Indicator codes are unique across all plugins; ``IndicatorSpec.area`` must name a declared area.
    """


# ---------------------------------------------------------------------------------------------
# Collection: called for every report, once per area, on the plugin that declared the area
# ---------------------------------------------------------------------------------------------

@hookspec
def reportsvc_collect_section(area: "AreaSpec", context: "CollectContext") -> "AreaSection":
    """Collect ``area``'s section for ``context.unit`` and ``context.period``; return an AreaSection.

    Called only on the plugin that declared ``area``, in report order. Read from
    ``context.session`` (or use ``reportsvc.collect.context.standard_section``); never render. Raising
    or returning anything but an AreaSection fails the report with the plugin's name.
    """


# ---------------------------------------------------------------------------------------------
# Validation: called before a status update or an indicator value is stored
# ---------------------------------------------------------------------------------------------

@hookspec
def reportsvc_validate_status(area: "AreaSpec | None", task: "Task",
                              values: dict[str, Any]) -> "list[str]":
    """Check a status update of ``task`` before it is stored; return Vietnamese error messages.

    Called on every plugin, after the core checks passed. ``area`` is the task's declared area
    (None for a custom area of the plan): check ``area.code`` to judge only your own areas.
    ``values`` holds the submitted fields: status, completed_on, result, evidence_number,
    evidence_date, evidence_title, period_key. Return an empty list to accept.
    """


@hookspec
def reportsvc_validate_indicator_value(indicator: "IndicatorSpec", value: float, unit_code: str,
                                       period_key: str) -> "list[str]":
    """Check an indicator value before it is stored; return Vietnamese error messages (empty to accept).

    Called on every plugin, after the core checked the declared type and bounds: check
    ``indicator.code`` to judge only your own indicators.
    """


# ---------------------------------------------------------------------------------------------
# Report contributions: called after all sections are collected, before rendering
# ---------------------------------------------------------------------------------------------

@hookspec
def reportsvc_report_extras(report: "Report", context: "CollectContext") -> "list[AnnexTable | Chart]":
    """Contribute extra annex tables or charts to a built report; return a list (may be empty).

    Called on every plugin once the sections are collected; read ``report`` (for example
    ``report.areas``) rather than the database. Items are appended after the built-in annexes
    and charts, in plugin registration order.
    """
