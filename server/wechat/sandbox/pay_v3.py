"""The sandbox's WeChat Pay API v3 (issue 15: being built)."""

from __future__ import annotations

from flask import Flask


def register_pay_v3(app: Flask) -> None:
    """Register the v3 endpoints (none yet); the v3 state goes to
    app.extensions["sandbox_pay_v3"]."""
