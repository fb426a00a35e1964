"""Logging set-up, with secrets redacted from every line."""

from __future__ import annotations

import logging
import re
import sys

from flask import Flask

# key=value in URLs and SQL, "key": "value" in JSON-ish text, quoted or not.
_SECRET_KEYS = r"secret|js_code|session_key|access_token|api_key|paySign|sign"  # noqa: S105
_PATTERN = re.compile(rf"(?i)\b({_SECRET_KEYS})([\"']?\s*[:=]\s*[\"']?)([^&\s\"',)}}]+)")


def redact(text: str) -> str:
    return _PATTERN.sub(r"\1\2***", text)


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
    """One stderr handler on the root logger, at LOG_LEVEL, redacting secrets."""
    level = getattr(logging, app.config["LOG_LEVEL"], logging.INFO)
    root = logging.getLogger()
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(
            RedactingFormatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s")
        )
        handler.addFilter(RedactSecrets())
        root.addHandler(handler)
    root.setLevel(level)
    # urllib3 logs full request URLs (code2session carries the app secret) at DEBUG.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))
