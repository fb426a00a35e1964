"""A contract's payment schedule: the days its instalments fall due, and where each one
stands (paid, waiting for a second person's confirmation, unpaid, overdue).

Instalments fall due on the start day and then every cycle after it, while before the
end day; a start on the 29th-31st falls on the last day of shorter months (31 January →
28 February → 31 March: each date counts from the start, never from the one before).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from server.models.income import ContractInstalment

MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
MAX_YEARS = 10


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, on the last day of a shorter month."""
    year, index = divmod(start.year * 12 + start.month - 1 + months, 12)
    month = index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def latest_end(start_on: date) -> date:
    """The last end day a contract starting on `start_on` may have (10 years)."""
    return add_months(start_on, 12 * MAX_YEARS)


def due_dates(start_on: date, end_on: date, cycle: str) -> list[date]:
    """The days a contract's instalments fall due (one for "once")."""
    if cycle == "once":
        return [start_on]
    step, dates = MONTHS[cycle], []
    due = start_on
    while due < end_on:
        dates.append(due)
        due = add_months(start_on, step * len(dates))
    return dates


@dataclass(frozen=True)
class Standing:
    """Where one instalment stands: "paid" (its income confirmed), "waiting" (income
    recorded, a second person has yet to confirm it), "overdue" (nothing recorded and
    the day passed) or "due" (nothing recorded, the day still to come or today)."""

    instalment: ContractInstalment
    state: str


def standing(instalment: ContractInstalment, income_status: str | None, today: date) -> Standing:
    if instalment.income_id is not None:
        return Standing(instalment, "paid" if income_status == "confirmed" else "waiting")
    return Standing(instalment, "overdue" if instalment.due_on < today else "due")
