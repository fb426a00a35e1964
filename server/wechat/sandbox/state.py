"""The sandbox's state: tokens, recorded messages, injected faults, call counts."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from flask import jsonify

from server.config import SANDBOX_OA_APPID, SANDBOX_OA_SECRET

# Stable tokens renew in their last 5 minutes (WeChat's documented behaviour); a
# shortened lifetime renews in its last quarter.
STABLE_RENEW_WINDOW = 300


def renew_window(token_ttl: int) -> int:
    return min(STABLE_RENEW_WINDOW, token_ttl // 4)


@dataclass
class Fault:
    path: str  # prefix of the request path, e.g. "sns/jscode2session"
    kind: str  # "status", "errcode", "malformed", "delay"
    value: float = 0
    times: int | None = 1  # None: until cleared

    def matches(self, path: str) -> bool:
        return path.lstrip("/").startswith(self.path.lstrip("/"))


@dataclass
class SandboxState:
    appid: str
    secret: str
    oa_appid: str = SANDBOX_OA_APPID
    oa_secret: str = SANDBOX_OA_SECRET
    token_ttl: int = 7200
    lock: threading.Lock = field(default_factory=threading.Lock)
    # token → (appid, expires at epoch); each app's token works for its own calls only.
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    stable: dict[str, tuple[str, float]] = field(default_factory=dict)
    classic: dict[str, str] = field(default_factory=dict)
    fetches: dict[str, int] = field(default_factory=lambda: {"stable_token": 0, "token": 0})
    # Every token fetch: {"appid", "at" (epoch), "new" (did it bring a new token?)}.
    fetch_log: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    def credentials_ok(self, appid, secret) -> bool:
        return (appid, secret) in {(self.appid, self.secret), (self.oa_appid, self.oa_secret)}

    def new_token(self, appid: str) -> tuple[str, float]:
        token = "SANDBOX_" + secrets.token_urlsafe(48)
        expires_at = time.time() + self.token_ttl
        self.tokens[token] = (appid, expires_at)
        return token, expires_at

    def token_error(self, token: str | None, appid: str) -> tuple[int, str] | None:
        if not token or token not in self.tokens or self.tokens[token][0] != appid:
            return 40001, "invalid credential, access_token is invalid or not latest"
        if self.tokens[token][1] <= time.time():
            return 42001, "access_token expired"
        return None

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None


def wx_error(errcode: int, errmsg: str):
    return jsonify({"errcode": errcode, "errmsg": errmsg})
