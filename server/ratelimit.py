"""Rate limits checked inside a use case (when the key is known only there)."""

from __future__ import annotations

from flask import current_app
from limits import parse

from server.errors import TooManyRequests
from server.extensions import limiter


def throttle(name: str, rate: str, key: str) -> None:
    """Count one hit of `key` against `rate` ("10/minute"); raise TooManyRequests past it."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(rate)
    if not limiter.limiter.hit(item, name, key):
        retry_after = max(1, int(item.get_expiry()))
        raise TooManyRequests(headers={"Retry-After": str(retry_after)})
