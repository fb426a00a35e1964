"""The clock: what time it is (UTC), and the zone times are shown and bounded in.

Times are stored in UTC and shown, scheduled and bounded (days, months) in Asia/Shanghai.
Code reads the time through `utcnow` (tests move it with time-machine / freezegun).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
