"""Indicator values: a unit's own year-to-date value, roll-up over child units, % achieved.

Within a report the values come from the context's ``value_index`` (every value of the units below the
report's unit, read at once) and the units from its ``tree``; ``own_value`` called on its own, or for a unit
outside the tree, reads the database.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reportsvc.collect.context import CollectContext, ValueIndex
from reportsvc.collect.timeliness import Approvals
from reportsvc.areas.declarations import IndicatorSpec
from reportsvc.db.models import Indicator, IndicatorValue, Unit
from reportsvc.periods import CutoffRule, Period
from reportsvc.report.model import IndicatorRow
from reportsvc.vn.units import KINDS, level_of

def own_value(session: Session, code: str, unit: Unit, period: Period, cutoff: CutoffRule,
              approvals: Approvals | None = None) -> float | None:
    """Return the unit's own year-to-date value as of the period's end.

    Values are recorded per period; the latest one of the same year whose window ends on or
    before the period's end counts (an exact key wins over another key with the same end).
    With ``approvals`` (a report from approved data only), a value whose party's submission of its
    window is not approved is left out.
    """
    keys = ValueIndex.keys(period, cutoff)
    rows = session.execute(select(IndicatorValue.period_key, IndicatorValue.value, IndicatorValue.agency_id).where(
        IndicatorValue.code == code, IndicatorValue.unit_id == unit.id,
        IndicatorValue.period_key.in_(list(keys))).order_by(IndicatorValue.period_key)).all()
    return ValueIndex.latest(rows, unit, period, cutoff, approvals)


def _own(context: CollectContext, code: str, unit: Unit, period: Period) -> float | None:
    """Return ``own_value`` from the context's value index, or from the database for a unit outside its tree."""
    rows = context.value_index.rows(code, unit, period.year)
    if rows is None:
        return own_value(context.session, code, unit, period, context.cutoff, context.approvals)
    return ValueIndex.latest(rows, unit, period, context.cutoff, context.approvals)


def indicator_value(context: "CollectContext", spec: IndicatorSpec, unit: Unit,
                    period: Period) -> tuple[float | None, int]:
    """Return the unit's value for the period and how many units it was rolled up from.

    The unit's own value wins; otherwise its current children's values are combined by
    ``spec.rollup``. The values of units merged into it during the year (their figures up to
    the merger) are combined with it the same way. When the report's unit uses only approved data,
    only approved values count (``context.approvals``).
    """
    own = _own(context, spec.code, unit, period)
    if own is None and spec.rollup == "ratio":  # computed from its two counts, which roll up themselves
        indicators = context.registry.indicators
        num, contributors = indicator_value(context, indicators[spec.numerator], unit, period)
        den, _ = indicator_value(context, indicators[spec.denominator], unit, period)
        if num is None or not den:
            return None, 0
        return round(num / den * 100, 2), contributors
    base, count = own, 0
    if own is None and spec.rollup in ("sum", "mean"):
        # A child merged into another unit is counted through its successor, never twice.
        children = [child for child in context.tree.children(unit) if child.successor_id is None]
        values = [v for v, _ in (indicator_value(context, spec, child, period) for child in children) if v is not None]
        if values:
            base, count = _combine(spec.rollup, values), len(values)
    olds = context.tree.predecessors(unit) if spec.rollup in ("sum", "mean") else []
    if olds:
        merged = [v for v, _ in (indicator_value(context, spec, old, period) for old in olds)
                  if v is not None]
        if merged:
            parts = ([base] if base is not None else []) + merged
            return _combine(spec.rollup, parts), count + len(merged)
    return base, count


def _combine(rollup: str, values: list[float]) -> float:
    total = sum(values)
    return total if rollup == "sum" else round(total / len(values), 2)


def achieved(actual: float | None, target: float | None, higher_is_better: bool = True) -> float | None:
    """Return % achieved of a target (actual/target × 100, inverted when lower is better)."""
    if actual is None or not target:
        return None
    if higher_is_better:
        return round(actual / target * 100, 1)
    return round(target / actual * 100, 1) if actual else None


def indicator_rows(context: CollectContext, area_code: str) -> list[IndicatorRow]:
    """Return the rows of the area's indicators: target, actual, % achieved, same period last year."""
    targets: dict[str, Indicator] = {}
    if context.plan is not None:
        targets = {i.code: i for i in context.plan.targets}
    rows = []
    if context.agency_id is not None and not context.tasks(area_code):
        return []  # an agency reports the indicators of the areas it leads tasks in
    level = level_of(context.unit.kind) if context.unit.kind in KINDS else 1
    for spec in context.registry.indicators_of(area_code):
        if not spec.reported_at(level):  # a commune's report lists only its tier's indicators
            continue
        stored = targets.get(spec.code)
        target = stored.target if stored and stored.target is not None else spec.default_target
        actual, children = indicator_value(context, spec, context.unit, context.period)
        last, _ = indicator_value(context, spec, context.unit, context.period.previous_year())
        rows.append(IndicatorRow(code=spec.code, name=spec.name, unit=spec.unit, target=target, actual=actual,
                                 achieved_percent=achieved(actual, target, spec.higher_is_better), last_year=last,
                                 target_text=stored.target_text if stored else "",
                                 higher_is_better=spec.higher_is_better, rolled_up_from=children))
    return rows
