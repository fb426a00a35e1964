"""Logging set-up, with secrets redacted from every line, and the request id.

Every line carries the id of the request (or dispatch round) it belongs to: taken from
a trusted reverse proxy's `X-Request-Id` when it is well-formed, generated otherwise,
and sent back as `X-Request-Id`. `LOG_FORMAT=json` writes one JSON object a line
(python-json-logger), for a log collector; `text` (development's default) is for eyes.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, Response, request
from pythonjsonlogger.json import JsonFormatter

# key=value in URLs and SQL, "key": "value" in JSON-ish text, quoted or not.
_SECRET_KEYS = r"secret|js_code|session_key|access_token|api_key|paySign|sign"  # noqa: S105
_PATTERN = re.compile(rf"(?i)\b({_SECRET_KEYS})([\"']?\s*[:=]\s*[\"']?)([^&\s\"',)}}]+)")


def redact(text: str) -> str:
    return _PATTERN.sub(r"\1\2***", text)


REQUEST_ID_HEADER = "X-Request-Id"
# What a proxy may hand us: nginx's $request_id is 32 hex digits; a UUID has dashes.
_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
_request_id: ContextVar[str | None] = ContextVar("linli_request_id", default=None)


def new_request_id() -> str:
    """32 random hex digits (as nginx's $request_id; a third of uuid4().hex's cost)."""
    return os.urandom(16).hex()


def current_request_id() -> str | None:
    """The id of the request (or dispatch round) this code runs for, if any."""
    return _request_id.get()


@contextmanager
def request_id_bound(request_id: str | None = None) -> Iterator[str]:
    """Log lines written inside carry `request_id` (a new one when None): for work
    outside a request, such as a dispatch round or a thread it starts."""
    value = request_id or new_request_id()
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


def _incoming_request_id(trusted_proxies: int) -> str:
    """The proxy's id when a trusted proxy is in front of us and the id is well-formed;
    a client talking to us directly could otherwise write anything into our logs."""
    offered = request.headers.get(REQUEST_ID_HEADER, "") if trusted_proxies else ""
    return offered if _WELL_FORMED_ID.fullmatch(offered) else new_request_id()


def register_request_id(app: Flask) -> None:
    """Bind each request's id for its log lines and answer it as `X-Request-Id`."""

    @app.before_request
    def _bind_request_id() -> None:
        _request_id.set(_incoming_request_id(app.config["TRUSTED_PROXIES"]))

    @app.after_request
    def _answer_request_id(response: Response) -> Response:
        request_id = _request_id.get()
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response

    @app.teardown_request
    def _unbind_request_id(_exc) -> None:
        _request_id.set(None)  # the thread's next work is not this request's


class AddRequestId(logging.Filter):
    """Puts the current request id on every record (`-` outside any)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _request_id.get() or "-"
        return True


class RedactSecrets(logging.Filter):
    """Masks values of secret-looking keys in the formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included (a driver error can
    quote the SQL it was running)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object a line, Chinese as it is; every field redacted like the text
    lines (the `extra` fields and the traceback included) before it is serialized, so
    that the line stays valid JSON."""

    def process_log_record(self, log_data: dict) -> dict:
        return {key: _redacted(value) for key, value in log_data.items()}


def _redacted(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


TEXT_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = ("asctime", "levelname", "name", "process", "request_id", "message")


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return RedactingJsonFormatter(
            list(JSON_FIELDS),
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    return RedactingFormatter(TEXT_FORMAT)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (so test capture and reloaders see it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def configure_logging(app: Flask) -> None:
    """One stderr handler on the root logger, at LOG_LEVEL, in LOG_FORMAT, redacting
    secrets; every line carries the request id."""
    level = getattr(logging, app.config["LOG_LEVEL"], logging.INFO)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.addFilter(RedactSecrets())
        handler.addFilter(AddRequestId())
        root.addHandler(handler)
    handler.setFormatter(make_formatter(app.config["LOG_FORMAT"]))
    root.setLevel(level)
    register_request_id(app)
    # urllib3 logs full request URLs (code2session carries the app secret) at DEBUG.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))
