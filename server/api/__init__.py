"""HTTP API under /api/v1: each module parses, calls one service, serialises."""

from flask import Flask

from server.api import (
    anomalies,
    auth,
    ballots,
    bills,
    bindings,
    board,
    collection,
    compound_admin,
    compounds,
    config,
    disclosures,
    expenses,
    fees,
    handovers,
    health,
    income,
    invites,
    issues,
    ledger,
    me,
    meter_readings,
    offline_payments,
    payments,
    pending_changes,
    people,
    proposals,
    roster,
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
    compound_admin.bp,
    roster.bp,
    units.bp,
    bindings.bp,
    invites.bp,
    handovers.bp,
    uploads.bp,
    issues.bp,
    bills.bp,
    payments.bp,
    offline_payments.bp,
    collection.bp,
    meter_readings.bp,
    fees.bp,
    ledger.bp,
    expenses.bp,
    income.bp,
    disclosures.bp,
    anomalies.bp,
    pending_changes.bp,
    people.bp,
    board.bp,
    proposals.bp,
    ballots.bp,
    wechat_callbacks.bp,
)


def register_api(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
