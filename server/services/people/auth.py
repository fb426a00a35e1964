"""Signing in with WeChat and the bearer tokens that follow."""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.clock import utcnow
from server.database.replay import note_outside_call
from server.errors import Forbidden, Unauthorized
from server.extensions import db
from server.models import User
from server.ratelimit import throttle
from server.services.people import token_cache, users
from server.services.people.access import Principal, load_principal
from server.services.people.users import UserView
from server.wechat import mini_program

TOKEN_SALT = "linli.auth.v1"  # noqa: S105 (a salt, not a secret)


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_in: int
    user: UserView


def _serializer() -> URLSafeTimedSerializer:
    """The app's serializer, made once per secret key (building one derives its key)."""
    app = current_app._get_current_object()
    secret = app.config["SECRET_KEY"]
    made = app.extensions.get("linli.token_serializer")
    if made is None or made[0] != secret:
        made = app.extensions["linli.token_serializer"] = (
            secret,
            URLSafeTimedSerializer(secret, salt=TOKEN_SALT),
        )
    return made[1]


def _verified_user_id(token: str) -> int | None:
    """The user id a token names, its signature and age checked (raises
    SignatureExpired / BadSignature); from this worker's token cache when it was
    verified there within the last seconds and is still within its lifetime."""
    cache = token_cache.cache()
    if cache is not None:
        user_id = cache.get(token)
        if user_id is not None:
            return user_id
    now = time.time()
    payload, signed = _serializer().loads(
        token, max_age=current_app.config["AUTH_TOKEN_TTL"], return_timestamp=True
    )
    user_id = payload.get("uid") if isinstance(payload, dict) else None
    if not isinstance(user_id, int):
        return None
    if cache is not None:
        cache.put(token, user_id, int(signed.timestamp()), now)
    return user_id


def issue_token(user: User) -> tuple[str, int]:
    """A signed bearer token for the user and its lifetime in seconds."""
    return _serializer().dumps({"uid": user.id}), current_app.config["AUTH_TOKEN_TTL"]


def token_user_id(token: str) -> int | None:
    """The user id a valid, unexpired token names (signature checked, no database)."""
    try:
        return _verified_user_id(token)
    except BadSignature:  # SignatureExpired is a BadSignature
        return None


def authenticate(token: str) -> Principal:
    """The principal a bearer token stands for.

    Raises Unauthorized (token_expired / token_invalid) when it stands for nobody.
    """
    if not token:
        raise Unauthorized()
    try:
        user_id = _verified_user_id(token)
    except SignatureExpired:
        raise Unauthorized("登录已过期，请重新登录", code="token_expired") from None
    except BadSignature:
        raise Unauthorized("登录信息无效，请重新登录", code="token_invalid") from None
    principal = load_principal(user_id, cached=True) if isinstance(user_id, int) else None
    if principal is None:
        raise Unauthorized("登录信息无效，请重新登录", code="token_invalid")
    return principal


def login(code: str) -> LoginResult:
    """Sign in with a `wx.login` code: code2session, then create or update the user.

    Raises the WeChat errors of `code_to_session`, and TooManyRequests past the
    per-openid limit (a whole compound may share one NAT address, so the per-IP
    limit alone is generous).
    """
    note_outside_call()  # a wx.login code is good once: never run this view twice
    session = mini_program().code_to_session(code)
    throttle("login-openid", current_app.config["LOGIN_RATE_PER_OPENID"], session.openid)
    user = _upsert_user(session.openid, session.unionid)
    if not user.is_active:
        raise Forbidden("该账号已停用，请联系业委会", code="account_disabled")
    user.session_key = session.session_key
    user.last_login_at = utcnow()
    db.session.commit()
    token, ttl = issue_token(user)
    return LoginResult(token, ttl, users.describe(load_principal(user.id)))


def _upsert_user(openid: str, unionid: str | None) -> User:
    user = db.session.scalars(select(User).where(User.openid == openid)).first()
    if user is None:
        try:
            user = User(openid=openid, unionid=unionid)
            db.session.add(user)
            db.session.flush()
        except IntegrityError:
            # The same person's first two logins raced and the other created the row.
            # Start over in a fresh transaction (which sees it): retrying inside this
            # one would read a stale snapshot, or deadlock on MySQL's duplicate-key lock.
            db.session.rollback()
            user = db.session.scalars(select(User).where(User.openid == openid)).one()
    if unionid and user.unionid != unionid:
        user.unionid = unionid
    return user
