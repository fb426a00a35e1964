"""WeChat Pay's daily statement (对账单), read for every merchant and compared with our
books (statement_compare.py), kept as a PayStatement per merchant and day, and shown in
each compound's daily report.

A day is read once it is compared: a rerun finds it done and changes nothing. A day
WeChat Pay has no statement for yet ("not ready"), or one we could not read or reach,
is tried again by the next run for LOOK_BACK days.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.extensions import db
from server.models import Compound, PayStatement, ReconciliationReport
from server.services.money import (
    merchants,
    reconciliation,
    statement_compare,
    statement_refunds,
    statement_report,
)
from server.wechat import (
    PayRejected,
    Statement,
    StatementNotReady,
    StatementUnreadable,
    WeChatUnavailable,
    payment_gateway,
)

log = logging.getLogger(__name__)
LOOK_BACK = 3  # days before yesterday tried again while not compared


def read_statements(day: date | None = None) -> list[PayStatement] | None:
    """Read and compare the statement of `day` (default: yesterday, Beijing) for every
    configured merchant; without a day, also the LOOK_BACK days before it that are not
    compared yet (oldest first). Returns the statements as kept, or None when WeChat Pay
    is not configured. Raises nothing for WeChat Pay's troubles: they are the status."""
    names = sorted(current_app.config["WECHAT_PAY_MERCHANTS"])
    if not names:
        return None
    if day is not None:
        days = [day]
    else:
        yesterday = (utcnow().astimezone(SHANGHAI) - timedelta(days=1)).date()
        days = [yesterday - timedelta(days=back) for back in range(LOOK_BACK, -1, -1)]
    kept = []
    for when in days:
        kept += [read_one(merchant, when) for merchant in names]
    return kept


def read_one(merchant: str, day: date) -> PayStatement:
    """One merchant's statement of one day, compared once (a compared day is returned
    as it is)."""
    row = _kept(merchant, day)
    if row is not None and row.status == "compared":
        return row
    if row is None:
        row = PayStatement(merchant=merchant, day=day, status="not_ready")
        db.session.add(row)
    gateway = payment_gateway(merchant)
    try:
        if gateway is None:
            raise WeChatUnavailable()
        statement = gateway.statement(day)
    except StatementNotReady:
        return _keep_status(row, "not_ready")
    except StatementUnreadable as exc:
        log.warning("statement of %s for %s unreadable: %s", merchant, day, exc)
        return _keep_status(row, "unreadable")
    except (WeChatUnavailable, PayRejected):
        return _keep_status(row, "unavailable")
    comparison = compare(merchant, statement)
    row.status, row.fetched_at = "compared", utcnow()
    row.line_count = len(statement.lines)
    row.settled_fen, row.refund_fen = statement.settled_fen, statement.refund_fen
    row.fee_fen = statement.fee_fen
    row.differences = statement_report.entries(comparison.totals, comparison.differences)
    db.session.commit()  # fees, anomalies and the record together
    log.info(
        "statement of %s for %s: %d lines, %d differences",
        merchant,
        day,
        row.line_count,
        len(comparison.differences),
    )
    _report(merchant, day, comparison)
    return row


def compare(merchant: str, statement: Statement) -> statement_compare.Comparison:
    """Compare a statement with our books and book its fees (no commit)."""
    result = statement_compare.Comparison()
    for line in statement.lines:
        if line.is_refund:
            statement_refunds.refund_line(merchant, statement.day, line, result)
        else:
            statement_compare.payment_line(merchant, statement.day, line, result)
    statement_compare.missing_there(merchant, statement, result)
    statement_refunds.missing_there(merchant, statement, result)
    return result


def _kept(merchant: str, day: date) -> PayStatement | None:
    return db.session.scalars(
        select(PayStatement).where(PayStatement.merchant == merchant, PayStatement.day == day)
    ).first()


def _keep_status(row: PayStatement, status: str) -> PayStatement:
    row.status, row.fetched_at = status, utcnow()
    db.session.commit()
    return row


def _report(merchant: str, day: date, comparison: statement_compare.Comparison) -> None:
    """Each compound of the merchant with a report that day, or lines in the statement,
    gets the statement in its report (and its committee is told of new differences)."""
    touched = {c for c in comparison.totals if c is not None}
    touched |= {c for c, _ in comparison.differences if c is not None}
    reported = db.session.scalars(
        select(ReconciliationReport.compound_id).where(ReconciliationReport.day == day)
    ).all()
    for compound_id in sorted(touched | set(reported)):
        if db.session.get(Compound, compound_id) is None:
            continue
        if compound_id not in touched and merchants.name_for_compound(compound_id) != merchant:
            continue
        texts = [text for c, text in comparison.differences if c == compound_id]
        reconciliation.add_statement(compound_id, day, texts)
