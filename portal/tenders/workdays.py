"""公示期 in working days. Monday to Friday count; statutory holidays are not known to the portal,
so a period spanning one is set longer by staff (publicity_days)."""
from __future__ import annotations

from datetime import date, timedelta


def is_workday(day: date) -> bool:
    return day.weekday() < 5


def period_end(start: date, workdays: int) -> date:
    """The last day of a period of `workdays` working days beginning on `start` (counted when it
    is a working day): Monday + 5 → Friday; Saturday + 5 → next Friday."""
    day, counted = start, 0
    while True:
        if is_workday(day):
            counted += 1
            if counted >= workdays:
                return day
        day += timedelta(days=1)
