"""Bill periods: months, quarters and years as the fees' cycles cut them, and how people
say them ("2026-12", "2026Q4", "2026")."""

from __future__ import annotations

import re
from datetime import datetime

from server.clock import SHANGHAI, utcnow
from server.errors import ValidationFailed

CYCLE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def parse_month(month: str) -> tuple[int, int]:
    """ "2026-12" → (2026, 12). Raises ValidationFailed."""
    try:
        year, number = (int(part) for part in month.split("-"))
    except ValueError:
        raise ValidationFailed("账期格式应为 YYYY-MM，如 2026-12", code="bad_period") from None
    if not (2000 <= year <= 2100 and 1 <= number <= 12) or len(month) != 7:
        raise ValidationFailed("账期格式应为 YYYY-MM，如 2026-12", code="bad_period")
    return year, number


def period_label(period: str) -> str:
    """A bill period as people say it: "2026年12月", "2027年第1季度", "2027年度"."""
    quarter = re.fullmatch(r"(\d{4})Q([1-4])", period)
    if quarter:
        return f"{quarter[1]}年第{quarter[2]}季度"
    if re.fullmatch(r"\d{4}", period):
        return f"{period}年度"
    year, number = parse_month(period)
    return f"{year}年{number}月"


def billing_period(cycle: str, month: str) -> str:
    """The period a month falls in for a cycle: "2026-12" monthly, "2026Q4" quarterly,
    "2026" yearly. Generating for any month of a quarter gives the same quarter."""
    year, number = parse_month(month)
    if cycle == "monthly":
        return f"{year}-{number:02d}"
    if cycle == "quarterly":
        return f"{year}Q{(number - 1) // 3 + 1}"
    return str(year)


def period_months(period: str) -> set[str]:
    """The months a bill period covers: "2026-11" → {"2026-11"}, "2026Q4" → October to
    December, "2026" → the twelve months. Raises ValidationFailed."""
    if re.fullmatch(r"\d{4}", period):
        return {f"{period}-{number:02d}" for number in range(1, 13)}
    quarter = re.fullmatch(r"(\d{4})Q([1-4])", period)
    if quarter:
        year, first = quarter[1], (int(quarter[2]) - 1) * 3 + 1
        return {f"{year}-{number:02d}" for number in range(first, first + 3)}
    parse_month(period)
    return {period}


def overlapping_periods(period: str) -> set[str]:
    """The other period strings, of any cycle, that share a month with `period`:
    "2026Q4" → "2026-10", "2026-11", "2026-12" and "2026"."""
    return {
        billing_period(cycle, month) for month in period_months(period) for cycle in CYCLE_MONTHS
    } - {period}


def month_after(month: str) -> str:
    """ "2026-12" → "2027-01". Raises ValidationFailed."""
    year, number = parse_month(month)
    year, index = divmod(year * 12 + number, 12)
    return f"{year}-{index + 1:02d}"


def next_month(now: datetime | None = None) -> str:
    """The month after the current one in Asia/Shanghai: "2027-01" in December 2026."""
    today = (now or utcnow()).astimezone(SHANGHAI)
    year, number = divmod(today.year * 12 + today.month, 12)
    return f"{year}-{number + 1:02d}"
