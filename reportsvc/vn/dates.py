"""Dates as users type them ("15/03/2024", or ISO from forms and the API) and times as Vietnam shows them."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

VIETNAM = timezone(timedelta(hours=7))
PATTERNS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
"""Accepted forms: ISO (HTML date inputs, JSON), then dd/mm/yyyy and dd-mm-yyyy."""


def parse_day(text: Any) -> date | None:
    """Parse "2024-03-15" (forms, API) or "15/03/2024"; None for empty; ValueError otherwise."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if not isinstance(text, str):
        raise ValueError(text)
    value = text.strip()
    for pattern in PATTERNS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def local_time(moment: datetime) -> str:
    """Return a stored UTC time as Vietnam time, "23/11/2026 14:05"."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
