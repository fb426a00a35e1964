"""Fixtures shared by tests/server: what the configured log handler writes."""

from __future__ import annotations

import io
import json
import logging

import pytest

from server.logs import AddRequestId, RedactSecrets, make_formatter


class Lines:
    """What the configured handler would write, as parsed JSON lines."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def raw(self) -> str:
        return self.stream.getvalue()

    def saying(self, text: str) -> list[dict]:
        return [line for line in self.all() if text in line["message"]]


@pytest.fixture
def lines():
    """Log records as the JSON handler writes them (secrets masked, request id added)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter("json"))
    handler.addFilter(RedactSecrets())
    handler.addFilter(AddRequestId())
    root = logging.getLogger()
    root.addHandler(handler)
    yield Lines(stream)
    root.removeHandler(handler)
