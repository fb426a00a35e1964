"""Typed errors raised by services, and the one JSON envelope every error leaves in.

Envelope: `{"code": "<stable machine code>", "message": "<human, Chinese>", "details": ...}`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from apiflask import HTTPError
from flask import Flask, abort, request
from flask_limiter.errors import RateLimitExceeded
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from server.database.errors import is_busy, is_connection_error

log = logging.getLogger(__name__)


class AppError(Exception):
    """An expected failure with a status, a machine code and a message for the user."""

    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        self.headers = headers or {}
        # More top-level fields of the body (a roster's `report`), beside code and message.
        self.extra = extra or {}
        super().__init__(self.message)

    def body(self) -> dict:
        body = {**self.extra, "code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(AppError):
    status, code, message = 400, "validation_error", "提交的内容有误，请检查后重试"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "请先登录"

    def __init__(self, message=None, **kwargs):
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "没有权限执行此操作"


class NotFound(AppError):
    status, code, message = 404, "not_found", "找不到该内容"


class Conflict(AppError):
    status, code, message = 409, "conflict", "当前状态下不能执行此操作"


class TooManyRequests(AppError):
    status, code, message = 429, "too_many_requests", "操作太频繁，请稍后再试"


class ServiceUnavailable(AppError):
    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后再试"


# Status → (code, message) for errors raised by Flask/Werkzeug or APIFlask themselves.
_HTTP_DEFAULTS = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "找不到该内容"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "当前状态下不能执行此操作"),
    413: ("payload_too_large", "上传的内容太大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的内容有误，请检查后重试"),
    429: ("too_many_requests", "操作太频繁，请稍后再试"),
    500: ("internal_error", "服务器出了点问题，请稍后再试"),
    503: ("service_unavailable", "服务暂时不可用，请稍后再试"),
}


def http_error_body(error: HTTPError) -> tuple[dict, int, dict]:
    """Turn an APIFlask/Werkzeug HTTP error into the envelope."""
    status = error.status_code
    if status == 422 or _is_validation(error.detail):  # APIFlask request validation
        code, message = _HTTP_DEFAULTS[422]
        status = 400
    else:
        code, message = _HTTP_DEFAULTS.get(status, ("error", "请求失败"))
    extra = dict(error.extra_data or {})
    code = extra.pop("code", code)
    message = extra.pop("message", None) or message
    body: dict[str, Any] = {"code": code, "message": message}
    if error.detail:
        validation = code == "validation_error"
        body["details"] = _validation_details(error.detail) if validation else error.detail
    return body, status, dict(error.headers or {})


_LOCATIONS = {"json", "query", "form", "path", "files", "headers", "cookies"}


def _is_validation(detail: Any) -> bool:
    return isinstance(detail, dict) and bool(detail) and set(detail) <= _LOCATIONS


def _validation_details(detail: Any) -> Any:
    """APIFlask nests errors by location ({"json": {"field": [...]}}): name the
    location once and put the field messages in Chinese."""
    if isinstance(detail, dict) and len(detail) == 1:
        ((location, fields),) = detail.items()
        if location in _LOCATIONS and isinstance(fields, dict):
            return {"location": location, "fields": translate(fields)}
    return detail


# marshmallow's English messages → what a resident can read.
_MESSAGES = (
    (re.compile(r"^Missing data for required field\.$"), "必填"),
    (re.compile(r"^Unknown field\.$"), "不认识的字段"),
    (re.compile(r"^Field may not be null\.$"), "不能为空"),
    (re.compile(r"^Not a valid integer\.$"), "应为整数"),
    (re.compile(r"^Not a valid string\.$"), "应为文字"),
    (re.compile(r"^Not a valid boolean\.$"), "应为 true 或 false"),
    (re.compile(r"^Not a valid list\.$"), "应为列表"),
    (re.compile(r"^Not a valid number\.$"), "应为数字"),
    (re.compile(r"^Invalid input type\.$"), "类型不对"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度应在 \1 到 \2 之间"),
    # Strings and lists alike (texts say 字 themselves: fields.Chars, lists fields.Count).
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"至少 \1 个"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"最多 \1 个"),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        r"应在 \1 到 \2 之间",
    ),
    (re.compile(r"^Must be one of: (.*)\.$"), r"应为以下之一：\1"),
    (re.compile(r"^String does not match expected pattern\.$"), "格式不对"),
)


def translate(value: Any) -> Any:
    """marshmallow's messages (nested as they come) in Chinese."""
    if isinstance(value, dict):
        return {k: translate(v) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in _MESSAGES:
            if pattern.match(value):
                return pattern.sub(replacement, value)
    return value


def register_error_handlers(app: Flask) -> None:
    """One handler for typed errors, one for the database being away, one for the rest."""

    @app.before_request
    def _refuse_undecodable_query():
        # Werkzeug decodes the raw query string as strict UTF-8 when a view first reads
        # `request.args`: a raw byte such as 0xFF (not %FF) would end in a 500 there.
        try:
            request.query_string.decode()
        except UnicodeDecodeError:
            if request.blueprint == "desk":
                abort(400)  # the desk's own error page
            from server.api.schemas.fields import UNREADABLE

            details = {"location": "query"}
            return {"code": "validation_error", "message": UNREADABLE, "details": details}, 400
        return None

    @app.before_request
    def _refuse_unparseable_json():
        # The parsers catch only JSONDecodeError: a 200,000-deep array (RecursionError)
        # or a 5,000-digit number (ValueError) would otherwise end in a 500.
        data = request.get_data(cache=True) if request.is_json else b""
        if data:  # (a chunked body has no Content-Length: read what came)
            try:
                body = json.loads(data)
            except (ValueError, RecursionError):
                return {"code": "bad_request", "message": "请求格式有误"}, 400
            where = _lone_surrogate_at(body)
            if where is not None:
                # "\ud800" is valid JSON but no text: UTF-8 (the database, the answer)
                # cannot hold it. Named by its top-level field, which may be a key.
                return _unreadable(where)
        return None

    @app.error_processor
    def _apiflask_errors(error: HTTPError):
        if error.status_code >= 500:
            log.error("HTTP %s on %s %s", error.status_code, request.method, request.path)
        return http_error_body(error)

    @app.errorhandler(AppError)
    def _app_error(error: AppError):
        return error.body(), error.status, error.headers

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(_error: RateLimitExceeded):
        from server.extensions import limiter

        limit = limiter.current_limit
        wait = max(1, int(limit.reset_at - time.time())) if limit else 60
        code, message = _HTTP_DEFAULTS[429]
        return {"code": code, "message": message}, 429, {"Retry-After": str(wait)}

    @app.errorhandler(Exception)
    def _internal(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        code, message = _HTTP_DEFAULTS[500]
        return {"code": code, "message": message}, 500

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(error: Exception):
        if isinstance(error, DBAPIError) and not (
            error.connection_invalidated or is_connection_error(error) or is_busy(error)
        ):
            return _internal(error)
        log.warning(
            "database unavailable on %s %s: %s", request.method, request.path, type(error).__name__
        )
        if is_busy(error):
            body = {"code": "database_busy", "message": "系统繁忙，请稍后再试"}
            return body, 503, {"Retry-After": "1"}
        body = {"code": "database_unavailable", "message": "服务暂时不可用，请稍后再试"}
        return body, 503, {"Retry-After": "5"}


def _lone_surrogate_at(value: Any, field: str | None = None) -> str | None:
    """The top-level field of a parsed JSON body holding a lone surrogate, in a value
    or a key ("" for the body itself); None when there is none."""
    from server.api.schemas.fields import has_lone_surrogate

    stack = [(value, field)]
    while stack:
        item, top = stack.pop()
        if isinstance(item, str) and has_lone_surrogate(item):
            return top or ""
        if isinstance(item, list):
            stack.extend((v, top) for v in item)
        elif isinstance(item, dict):
            for key, v in item.items():
                name = top if top is not None else key
                if has_lone_surrogate(key):
                    return name
                stack.append((v, name))
    return None


def _unreadable(field: str) -> tuple[dict, int]:
    from server.api.schemas.fields import UNREADABLE

    safe = field.encode("utf-8", "backslashreplace").decode("utf-8")
    details = {"location": "json", "fields": {safe or "_body": [UNREADABLE]}}
    return {"code": "validation_error", "message": UNREADABLE, "details": details}, 400
