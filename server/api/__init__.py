"""HTTP API under /api/v1: each module parses, calls one service, serialises."""

from flask import Flask

from server.api import (
    auth,
    bills,
    bindings,
    compounds,
    config,
    fees,
    health,
    invites,
    issues,
    me,
    offline_payments,
    payments,
    pending_changes,
    units,
    uploads,
    wechat_callbacks,
)

BLUEPRINTS = (
    health.bp,
    config.bp,
    auth.bp,
    me.bp,
    compounds.bp,
    units.bp,
    bindings.bp,
    invites.bp,
    uploads.bp,
    issues.bp,
    bills.bp,
    payments.bp,
    offline_payments.bp,
    fees.bp,
    pending_changes.bp,
    wechat_callbacks.bp,
)


def register_api(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
