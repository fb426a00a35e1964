"""The sandbox's WeChat Pay API v2 refunds (issue 15: being built)."""

from __future__ import annotations

from flask import Flask

from server.wechat.sandbox.pay import PayState


def register_pay_refunds(app: Flask, state: PayState) -> None:
    """Register the v2 refund endpoints (none yet)."""
