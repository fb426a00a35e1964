"""Job entry points that are more than one service call: each names what it runs
(services fetch their own WeChat clients from `server.wechat`'s factory)."""

from __future__ import annotations

import logging

from server.clock import SHANGHAI, utcnow
from server.services.decisions import closing
from server.services.messaging import outbox
from server.services.money import fees, pending_orders, reconciliation, refund_sending

log = logging.getLogger(__name__)


def dispatch_outbox() -> outbox.DispatchResult | str:
    """Send the queued WeChat pushes that are due."""
    return outbox.dispatch_due()


def generate_this_months_bills() -> fees.Generated:
    """Bills of the month that begins (quarterly and yearly fees: of its quarter/year)."""
    return fees.generate_bills(utcnow().astimezone(SHANGHAI).strftime("%Y-%m"))


def reconcile_payments() -> pending_orders.Reconciled:
    """Orders pending 5 minutes: credit what WeChat says is paid, close the expired."""
    return pending_orders.reconcile(min_age=300)


def close_cancelled_payments() -> pending_orders.Reconciled:
    """Orders their payer or a collector cancelled: closed at WeChat Pay, then here, as
    soon as WeChat Pay allows (5 minutes after they were made)."""
    return pending_orders.close_cancelled()


def send_refunds() -> refund_sending.Sent:
    """Confirmed refunds sent to WeChat Pay (again, while it is away: the same refund
    number makes one refund); refunds it is processing asked after and settled."""
    return refund_sending.send_due()


def payment_report():
    """Yesterday's orders compared with WeChat Pay, differences kept for the committee."""
    reports = reconciliation.daily_report()
    if reports is None:
        return "WeChat Pay not configured"
    return {report.compound_id: report.summary for report in reports}


def close_due_proposals() -> int:
    """Owners' votes whose closing time has come: counted, stored, applied and told,
    each as the committee's POST close would (archived compounds left alone)."""
    return closing.close_due_proposals()
