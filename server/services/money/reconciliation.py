"""Reconciling with WeChat Pay: a daily report per compound lists every difference
between our orders and what WeChat Pay says of them, and settles what it can (orders
still pending are checked through the day by `pending_orders`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select

from server.clock import SHANGHAI, utcnow
from server.errors import Forbidden
from server.extensions import db
from server.labels import label
from server.models import Payment, PaymentAnomaly, ReconciliationReport
from server.services.messaging import notify
from server.services.messaging.messages import Message
from server.services.money import merchants, settlement, statement_report
from server.services.people import compounds
from server.services.people.access import Principal
from server.wechat import (
    OrderState,
    PayRejected,
    WeChatUnavailable,
)

log = logging.getLogger(__name__)
# WeChat Pay took no money for the order (REFUND is left out: money moved, then back).
NO_MONEY = {"NOTPAY", "PAYERROR", "CLOSED", "REVOKED", "NOT_FOUND"}


# ----- the daily report -----


def daily_report(day: date | None = None):
    """Compare every order a day touched (created, paid or closed that day, Asia/Shanghai;
    default yesterday) with what WeChat Pay says of it, settling orders WeChat Pay was
    paid for that we have unpaid: one report per compound, kept (a rerun adds to the
    day's), and the committee told when there are new differences.
    Returns the reports, or None when WeChat Pay is not configured."""
    if not current_app.config["WECHAT_PAY_MERCHANTS"]:
        return None
    day = day or (utcnow().astimezone(SHANGHAI) - timedelta(days=1)).date()
    by_compound: dict[int, list[Payment]] = defaultdict(list)
    for payment in _orders_of_day(day):
        by_compound[payment.compound_id].append(payment)
    db.session.commit()
    reports = []
    for compound_id, orders in sorted(by_compound.items()):
        counts, differences = _compare(orders)
        open_anomalies = db.session.scalar(
            select(func.count())
            .select_from(PaymentAnomaly)
            .where(PaymentAnomaly.compound_id == compound_id, PaymentAnomaly.resolved_at.is_(None))
        )
        summary = {
            "day": day.isoformat(),
            **counts,
            "differences": len(differences),
            "open_anomalies": open_anomalies,
        }
        reports.append(_keep(compound_id, day, summary, differences))
    return reports


def _orders_of_day(day: date) -> list[Payment]:
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    end = start + timedelta(days=1)
    return list(
        db.session.scalars(
            select(Payment)
            .where(
                or_(
                    *(
                        and_(column >= start, column < end)
                        for column in (Payment.created_at, Payment.paid_at, Payment.closed_at)
                    )
                )
            )
            .order_by(Payment.id)
        )
    )


def _yuan(fen: int | None) -> str:
    return "金额不明" if fen is None else f"{fen / 100:.2f} 元"


def _compare(orders: list[Payment]) -> tuple[dict, list[str]]:
    counts = {"orders": len(orders), "paid": 0, "closed": 0, "pending": 0, "disputed": 0}
    differences = []
    for payment in orders:
        counts[payment.status] = counts.get(payment.status, 0) + 1
        gateway = merchants.for_payment(payment)
        try:
            if gateway is None:
                raise WeChatUnavailable()
            state = gateway.query_order(payment.out_trade_no)
        except (WeChatUnavailable, PayRejected):
            differences.append(f"订单 {payment.out_trade_no}：未能向微信支付核对")
            continue
        _settle_unpaid(payment, state)
        difference = _difference(payment, state)
        if difference:
            differences.append(
                f"订单 {payment.out_trade_no}：{difference}{_settle(payment, state)}"
            )
    return counts, differences


def settle_mismatch(payment: Payment, state: OrderState, now: datetime) -> bool:
    """A (locked) order WeChat Pay says took no money: a notification of another amount
    for it brought no money either, so its open "amount_mismatch" anomaly is settled by
    the system (nobody resolved it: resolved_by stays empty) and the committee's list
    holds only real money. No commit. Returns whether one was settled."""
    anomaly = _open_mismatch(payment.id) if state.trade_state in NO_MONEY else None
    if anomaly is None:
        return False
    theirs = label("wechat_trade_state", state.trade_state)
    anomaly.resolved_at = now
    anomaly.resolution = (
        f"未收到款项：微信支付查询此单为“{theirs}”，金额不符的通知未带来任何款项（系统核对）"
    )
    log.info("amount mismatch on %s settled: no money received", payment.out_trade_no)
    return True


def _open_mismatch(payment_id: int) -> PaymentAnomaly | None:
    return db.session.scalars(
        select(PaymentAnomaly).where(
            PaymentAnomaly.payment_id == payment_id,
            PaymentAnomaly.kind == "amount_mismatch",
            PaymentAnomaly.resolved_at.is_(None),
        )
    ).first()


def _settle(payment: Payment, state: OrderState) -> str:
    """An order we have unpaid that WeChat Pay says was paid (its notification lost, and
    closed here since): settle it now. Returns what was done, for the report line."""
    if state.trade_state != "SUCCESS" or payment.status not in ("pending", "closed"):
        return ""
    locked = settlement.locked_payment(payment.out_trade_no)
    outcome = settlement.settle_paid(locked, state.transaction_id, state.total_fen, via="reconcile")
    db.session.commit()
    return {"credited": "，已补记入账", "disputed": "，金额不符，已记入待退款"}.get(outcome, "")


def _settle_unpaid(payment: Payment, state: OrderState) -> None:
    """An order of the day WeChat Pay took no money for: settle its mismatch anomaly."""
    if state.trade_state not in NO_MONEY or payment.status not in ("pending", "closed"):
        return
    if _open_mismatch(payment.id) is None:
        return
    locked = settlement.locked_payment(payment.out_trade_no)
    if locked.status in ("pending", "closed"):
        settle_mismatch(locked, state, utcnow())
    db.session.commit()


def _difference(payment: Payment, state: OrderState) -> str | None:
    """How an order differs from what WeChat Pay says of it, in the committee's words."""
    wechat_paid = state.trade_state == "SUCCESS"
    ours_paid = payment.status in ("paid", "disputed")
    ours = label("payment_status", payment.status)
    theirs = label("wechat_trade_state", state.trade_state)
    if ours_paid and not wechat_paid:
        return f"本系统记为“{ours}”，微信支付为“{theirs}”"
    if not ours_paid and wechat_paid:
        return f"微信支付为“支付成功”，本系统记为“{ours}”"
    if payment.status == "disputed":
        return f"金额不符：订单 {_yuan(payment.total_fen)}，微信支付实收 {_yuan(state.total_fen)}"
    if wechat_paid and state.total_fen != payment.total_fen:
        return f"金额不同：本系统 {_yuan(payment.total_fen)}，微信支付 {_yuan(state.total_fen)}"
    if wechat_paid and payment.transaction_id and state.transaction_id != payment.transaction_id:
        return "微信交易号不一致"
    return None


def _keep(compound_id: int, day: date, summary: dict, differences: list[str]):
    """Keep the day's report. A rerun adds what it newly finds and never drops what an
    earlier run found (and may have settled): the record of a difference stays."""
    statement = statement_report.section(compound_id, day)  # before a new report is added
    report = db.session.scalars(
        select(ReconciliationReport).where(
            ReconciliationReport.compound_id == compound_id, ReconciliationReport.day == day
        )
    ).first()
    if report is None:
        report = ReconciliationReport(compound_id=compound_id, day=day)
        db.session.add(report)
    earlier = report.differences.split("\n") if report.differences else []
    lines = earlier + [line for line in differences if line not in earlier]
    report.started_at = utcnow()
    report.summary = {
        **summary,
        "differences": len(lines),
        "statement": statement,
    }
    report.differences = "\n".join(lines) or None
    db.session.flush()
    if len(lines) > len(earlier):
        _tell_committee(report)
    db.session.commit()
    return report


def add_statement(compound_id: int, day: date, differences: list[str]):
    """WeChat Pay's statement of the day, once read, in the compound's report: its
    section, and its differences added to the report's (the committee told of new ones).
    Returns the report."""
    report = db.session.scalars(
        select(ReconciliationReport).where(
            ReconciliationReport.compound_id == compound_id, ReconciliationReport.day == day
        )
    ).first()
    summary = dict(report.summary) if report else {"day": day.isoformat(), "orders": 0}
    summary["open_anomalies"] = db.session.scalar(
        select(func.count())
        .select_from(PaymentAnomaly)
        .where(PaymentAnomaly.compound_id == compound_id, PaymentAnomaly.resolved_at.is_(None))
    )
    return _keep(compound_id, day, summary, [f"对账单：{text}" for text in differences])


def _tell_committee(report: ReconciliationReport) -> None:
    count = report.summary["differences"]
    message = Message(
        kind="payment",
        template="reminder",
        title=f"对账发现 {count} 处差异",
        body=f"{report.day:%Y-%m-%d} 的微信支付对账发现 {count} 处差异，请在收费页查看并处理。",
        data={},
        page="pages/collection/index",
    )
    occasion = notify.Occasion(f"report{report.id}d{count}", report.compound_id)
    recipients = notify.compound_members(report.compound_id, "committee", "supervisor")
    notify.deliver(message, recipients, occasion, inbox_only=True)


def reports_for(principal: Principal, code: str, limit: int = 30) -> list[ReconciliationReport]:
    """A compound's latest daily reports, for its committee and supervisor."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    return list(
        db.session.scalars(
            select(ReconciliationReport)
            .where(ReconciliationReport.compound_id == compound.id)
            .order_by(ReconciliationReport.day.desc())
            .limit(limit)
        )
    )
