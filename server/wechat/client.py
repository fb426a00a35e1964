"""The mini-program's server-side WeChat calls, through wechatpy.

The only module that talks to WeChat's servers. Every call has a timeout; every
failure becomes one of the typed errors in `server.wechat.errors`. Every call's log
lines carry the request id (or dispatch round) that made it (server/logs.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from server.wechat.errors import (
    WeChatCodeInvalid,
    WeChatNoQuota,
    WeChatRateLimited,
    WeChatSendRejected,
    WeChatUnavailable,
    WeChatUncertain,
    WeChatUserBlocked,
)
from server.wechat.storage import DatabaseStorage

log = logging.getLogger(__name__)

# Keep-alive connections one client holds to WeChat's host: at least as many as its
# callers in flight at once (the outbox's senders, a worker's threads), so none closes
# a connection for want of a slot and the next call connects again.
POOL_SIZE = 16

CODE_INVALID = {40029, 40163}  # invalid code, code already used
RATE_LIMITED = {45011, 45009}  # per-user login frequency, API quota
USER_BLOCKED = {40226}  # high-risk user
TOKEN_INVALID = {40001, 40014, 42001}  # invalid, malformed or expired access token
NO_QUOTA = {43101}  # user refused or used up a one-time subscription
# A message WeChat will never accept as it is: retrying cannot help.
SEND_REJECTED = {
    40003: "invalid openid",
    40037: "invalid template_id",
    41030: "invalid page",
    47001: "malformed message body",
    47003: "template data out of limits",
    43004: "user does not follow the official account",
    40036: "invalid template_id size",
}


@dataclass(frozen=True)
class WxSession:
    """What code2session returns. `session_key` must stay on the server."""

    openid: str
    session_key: str
    unionid: str | None = None

    def __repr__(self) -> str:
        return f"WxSession(openid={self.openid!r}, unionid={self.unionid!r})"


class StableTokenClient(WeChatClient):
    """A WeChatClient whose access token comes from `cgi-bin/stable_token`.

    The stable token is the same for every caller while valid, so several workers
    never invalidate each other's token; the fetch runs under a database row lock,
    so concurrent processes fetch once and share the result.
    """

    def __init__(self, appid, secret, *, api_base: str, storage: DatabaseStorage, timeout: float):
        super().__init__(appid, secret, session=storage, timeout=timeout, auto_retry=False)
        # wechatpy's own requests.Session (`_http`), shared by the threads that call:
        # one pool of kept connections per host, sized for them.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
        self._http.mount("https://", adapter)
        self._http.mount("http://", adapter)
        settle_environment(self._http, api_base)
        self._hold_lock = threading.Lock()
        self.API_BASE_URL = api_base + "cgi-bin/"
        self.wxa.API_BASE_URL = api_base
        self.api_base = api_base

    @property
    def access_token(self) -> str:
        """The shared token; fetched only when the storage holds none still good.

        The storage alone decides expiry (wechatpy would also keep a per-process
        clock, and read the storage again after fetching: a token fetched with a
        short lifetime left could then read as expired and go out as no token).
        Within `holding_token()` it is read once.
        """
        held = self._held_token
        if held:
            return held
        token = self.session.get(self.access_token_key) or self.fetch_access_token()["access_token"]
        if self._holding:
            self._held_token = token
        return token

    _holding = 0
    _held_token: str | None = None

    @contextmanager
    def holding_token(self) -> Iterator[None]:
        """Within: the access token read from the storage once, not once a call (the
        dispatcher's round: one read, not one a message). A refused token is let go
        (`invalidate_token`), and the next call reads or fetches again."""
        with self._hold_lock:
            self._holding += 1
        try:
            yield
        finally:
            with self._hold_lock:
                self._holding -= 1
                if not self._holding:
                    self._held_token = None

    def fetch_access_token(self):
        with self.session.locked(self.access_token_key) as current:
            if current.value:
                # Another process fetched while we waited for the lock.
                return {"access_token": current.value}
            log.info("fetching a WeChat access token (stable_token)")
            result = self._post_stable_token()
            current.set(result["access_token"], int(result.get("expires_in", 7200)))
            return result

    def _post_stable_token(self) -> dict:
        res = self._http.post(
            self.api_base + "cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": False,
            },
            timeout=self.timeout,
        )
        res.raise_for_status()
        result = res.json()
        if result.get("errcode") or "access_token" not in result:
            raise WeChatClientException(result.get("errcode"), result.get("errmsg"), client=self)
        return result

    def invalidate_token(self, token: str) -> None:
        """Forget `token` after WeChat refused it (40001), unless another process has
        already replaced it; the next call fetches a fresh one."""
        with self.session.locked(self.access_token_key) as current:
            if current.value == token:
                current.set(None, 1)
        self.expires_at = None
        if self._held_token == token:
            self._held_token = None

    def send(self, path: str, body: dict, call: str) -> dict:
        """POST a message endpoint with the access token; typed errors for the dispatcher.

        Raises WeChatNoQuota, WeChatSendRejected (for good), WeChatUnavailable (retry),
        or WeChatUncertain: the request went out but no answer came back, so WeChat may
        have delivered it (resending could deliver it twice).
        """
        token = None
        try:
            token = self.access_token
        except (WeChatClientException, requests.RequestException, ValueError) as exc:
            log.warning("WeChat %s: no access token (%s)", call, type(exc).__name__)
            raise WeChatUnavailable() from None
        try:
            result = self.post(
                path, params={"access_token": token}, data=body, api_base_url=self.api_base
            )
        except WeChatClientException as exc:
            _raise_send_error(self, exc, token, call)
        except requests.ReadTimeout:
            log.warning("WeChat %s sent but not answered in time", call)
            raise WeChatUncertain() from None
        except (requests.RequestException, ValueError) as exc:
            log.warning("WeChat %s unreachable: %s", call, type(exc).__name__)
            raise WeChatUnavailable() from None
        if not isinstance(result, dict):
            raise WeChatUnavailable()
        log.debug("WeChat %s answered", call)
        return result


def settle_environment(session: requests.Session, url: str) -> None:
    """Read the environment's settings for `url` once, now: its proxies (HTTPS_PROXY,
    NO_PROXY...) and CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE). requests reads them,
    and looks for a .netrc, on every call (a fifth of a sender's time in the outbox's
    profile); a process's environment does not change while it runs."""
    settings = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    session.trust_env = False


def _raise_send_error(client: StableTokenClient, exc: WeChatClientException, token, call: str):
    errcode = exc.errcode
    if errcode in TOKEN_INVALID and token:
        log.warning("WeChat %s: access token refused (%s); fetching a new one", call, errcode)
        client.invalidate_token(token)
        raise WeChatUnavailable() from None
    if errcode in NO_QUOTA:
        raise WeChatNoQuota() from None
    if errcode in SEND_REJECTED:
        raise WeChatSendRejected(errcode, SEND_REJECTED[errcode]) from None
    log.warning("WeChat %s failed: errcode=%s", call, errcode)
    raise WeChatUnavailable() from None


class MiniProgram:
    """The mini-program's server API: login now, messages and phone numbers later."""

    def __init__(self, client: StableTokenClient):
        self.client = client

    def code_to_session(self, code: str) -> WxSession:
        """Exchange a `wx.login` code for the user's openid.

        Raises WeChatCodeInvalid, WeChatRateLimited, WeChatUserBlocked or WeChatUnavailable.
        """
        with _wechat_errors("code2session"):
            result = self.client.get(
                "sns/jscode2session",
                api_base_url=self.client.api_base,
                params={
                    "appid": self.client.appid,
                    "secret": self.client.secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                    "access_token": None,  # code2session needs none; don't fetch one
                },
            )
        if (
            not isinstance(result, dict)
            or not result.get("openid")
            or not result.get("session_key")
        ):
            log.warning("code2session answered without openid/session_key")
            raise WeChatUnavailable()
        return WxSession(result["openid"], result["session_key"], result.get("unionid") or None)

    def warm_up(self) -> None:
        """Make sure an access token is at hand. Raises WeChatUnavailable."""
        with _wechat_errors("access token"):
            self.client.access_token  # noqa: B018 (the property fetches when needed)

    def send_subscribe_message(
        self, openid: str, template_id: str, data: dict, page: str | None, state: str
    ) -> None:
        """Send a one-time subscribe message (`state`: formal, trial or developer).

        wechatpy's helper lacks `miniprogram_state`, so the body is posted as WeChat
        documents it. Raises WeChatNoQuota, WeChatSendRejected or WeChatUnavailable.
        """
        body = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            "miniprogram_state": state,
            "lang": "zh_CN",
        }
        if page:
            body["page"] = page
        self.client.send("cgi-bin/message/subscribe/send", body, "subscribe/send")


@contextmanager
def _wechat_errors(call: str) -> Iterator[None]:
    """Map wechatpy and requests failures to our typed errors, logging no secrets."""
    try:
        yield
    except WeChatClientException as exc:
        if exc.errcode in CODE_INVALID:
            raise WeChatCodeInvalid() from None
        if exc.errcode in RATE_LIMITED:
            raise WeChatRateLimited(headers={"Retry-After": "60"}) from None
        if exc.errcode in USER_BLOCKED:
            raise WeChatUserBlocked() from None
        log.warning("WeChat %s failed: errcode=%s", call, exc.errcode)
        raise WeChatUnavailable() from None
    except (requests.RequestException, ValueError) as exc:
        log.warning("WeChat %s unreachable: %s", call, type(exc).__name__)
        raise WeChatUnavailable() from None
