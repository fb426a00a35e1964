"""Bearer tokens already verified, kept per worker process for a few seconds so a
signed-in caller's next requests skip the HMAC, base64 and JSON of `loads`.

A token is stateless (its signature and its age are all there is to check), so a
verification kept for PRINCIPAL_CACHE_SECONDS (5 s in production; 0, as in testing,
turns this off too) changes nothing as long as the token's own lifetime is respected:
an entry is used only while the token would still pass `loads(max_age=...)` at this
instant, by the same integer-second rule itsdangerous applies, and only while the wall
clock has not gone back past the moment it was verified. Keyed by the whole token
string; bounded (MAX_ENTRIES, expired ones swept first, then all dropped); per app,
as the key and lifetime are the app's. Thread-safe: reads are single dict lookups,
changes go under one lock.
"""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

from flask import current_app

EXTENSION = "linli.token_cache"
MAX_ENTRIES = 4096


class Verified(NamedTuple):
    user_id: int
    signed_at: int  # the token's own timestamp (whole seconds, as itsdangerous signs)
    verified_at: float
    keep_until: float


class TokenCache:
    def __init__(self, seconds: float, max_age: int):
        self.seconds = seconds
        self.max_age = max_age
        self._entries: dict[str, Verified] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> int | None:
        """The user id of a token verified here lately and still within its lifetime."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        now = time.time()
        age = int(now) - entry.signed_at
        if entry.verified_at <= now < entry.keep_until and 0 <= age <= self.max_age:
            return entry.user_id
        with self._lock:
            if self._entries.get(token) is entry:
                del self._entries[token]
        return None

    def put(self, token: str, user_id: int, signed_at: int, verified_at: float) -> None:
        entry = Verified(user_id, signed_at, verified_at, verified_at + self.seconds)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._sweep(verified_at)
            self._entries[token] = entry

    def _sweep(self, now: float) -> None:
        stale = [t for t, e in self._entries.items() if not e.verified_at <= now < e.keep_until]
        for token in stale:
            del self._entries[token]
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def cache() -> TokenCache | None:
    """The current app's cache; None when PRINCIPAL_CACHE_SECONDS is 0."""
    app = current_app._get_current_object()
    seconds = app.config.get("PRINCIPAL_CACHE_SECONDS", 0)
    if seconds <= 0:
        return None
    max_age = app.config["AUTH_TOKEN_TTL"]
    found = app.extensions.get(EXTENSION)
    if found is None or found.seconds != seconds or found.max_age != max_age:
        found = app.extensions[EXTENSION] = TokenCache(seconds, max_age)
    return found
