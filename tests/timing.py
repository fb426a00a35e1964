"""Dates for tests, relative to the day the suite runs: no test names a calendar date
that will pass (a token minted "now" is from the future under a clock frozen at a
date gone by). Freeze at `day(...)`, move by timedeltas from it, and mint tokens
inside the frozen block (`World.fresh_headers`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.models.base import SHANGHAI


def day(days: int = 0, clock: str = "08:00") -> datetime:
    """An instant `days` from today's UTC date at `clock` (UTC, "HH:MM[:SS]"):
    `day(-3, "08:00")`. Tests that care about the time of day in Shanghai say so
    with `shanghai_day`."""
    return datetime.combine(
        datetime.now(UTC).date() + timedelta(days=days), time.fromisoformat(clock), UTC
    )


def shanghai_day(days: int = 0, clock: str = "09:00") -> datetime:
    """The UTC instant of `clock` in Asia/Shanghai, `days` from today there."""
    local = datetime.now(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(local, time.fromisoformat(clock), SHANGHAI).astimezone(UTC)


def month(offset: int = 0, now: datetime | None = None) -> str:
    """A billing month ("YYYY-MM") `offset` months from the current one in Shanghai."""
    local = (now or datetime.now(UTC)).astimezone(SHANGHAI)
    year, index = divmod(local.year * 12 + local.month - 1 + offset, 12)
    return f"{year}-{index + 1:02d}"


def shanghai_date(days: int = 0) -> date:
    """Today's date in Shanghai, moved by `days`."""
    return datetime.now(SHANGHAI).date() + timedelta(days=days)
