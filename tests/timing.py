"""Dates for tests, relative to the moment the suite started: no test names a calendar
date that will pass (a token minted "now" is from the future under a clock frozen at a
date gone by). Freeze at `day(...)`, move by timedeltas from it, and mint tokens
inside the frozen block (`World.fresh_headers`).

Every helper counts from `STARTED`, read once when this module is imported, so a helper
called inside a frozen block still means the same day as one called outside it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.clock import SHANGHAI

STARTED = datetime.now(UTC)


def day(days: int = 0, clock: str = "08:00") -> datetime:
    """An instant `days` from today's UTC date at `clock` (UTC, "HH:MM[:SS]"):
    `day(1, "08:00")` is tomorrow at 08:00 UTC (16:00 in Shanghai), always ahead of now."""
    return datetime.combine(STARTED.date() + timedelta(days=days), time.fromisoformat(clock), UTC)


def shanghai_day(days: int = 0, clock: str = "09:00") -> datetime:
    """The UTC instant of `clock` in Asia/Shanghai, `days` from today there."""
    local = shanghai_date(days)
    return datetime.combine(local, time.fromisoformat(clock), SHANGHAI).astimezone(UTC)


def shanghai_date(days: int = 0) -> date:
    """Today's date in Shanghai, moved by `days`."""
    return STARTED.astimezone(SHANGHAI).date() + timedelta(days=days)


def month(offset: int = 0, now: datetime | None = None) -> str:
    """A billing month ("YYYY-MM") `offset` months from the current one in Shanghai (or
    from the month of `now`)."""
    local = (now or STARTED).astimezone(SHANGHAI)
    year, index = divmod(local.year * 12 + local.month - 1 + offset, 12)
    return f"{year}-{index + 1:02d}"


def shanghai_month_start(offset: int = 1) -> datetime:
    """The UTC instant of 00:00 on the 1st of a month in Shanghai, `offset` months from the
    current one (1: the coming month, always ahead of "now")."""
    year, number = (int(part) for part in month(offset).split("-"))
    return datetime(year, number, 1, tzinfo=SHANGHAI).astimezone(UTC)


def quarter_end_offset() -> int:
    """Months from the current one (Shanghai) to the last month of its quarter, 0 to 2:
    `month(quarter_end_offset())` ends a quarter and the month after it starts the next."""
    return 2 - (STARTED.astimezone(SHANGHAI).month - 1) % 3


def quarter_of(billing_month: str) -> str:
    """ "2027-01" → "2027Q1": the quarterly period a month falls in."""
    year, number = billing_month.split("-")
    return f"{year}Q{(int(number) - 1) // 3 + 1}"


def in_quarter(which: str) -> datetime:
    """A moment of the current quarter, in Shanghai time: "mid second month" (the 20th,
    12:00), "end of second month" (its last minute), "start of third month" (00:00 on
    the 1st), "mid third month"."""
    last = quarter_end_offset()
    return {
        "mid second month": shanghai_month_start(last - 1) + timedelta(days=19, hours=12),
        "end of second month": shanghai_month_start(last) - timedelta(minutes=1),
        "start of third month": shanghai_month_start(last),
        "mid third month": shanghai_month_start(last) + timedelta(days=19, hours=12),
    }[which]
