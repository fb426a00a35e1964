"""Job entry points that need WeChat clients: built here from the app's configuration
and handed to the services (which never build clients themselves)."""

from __future__ import annotations

import logging

from server.clock import SHANGHAI, utcnow
from server.services.messaging import outbox
from server.services.money import fees, reconciliation
from server.wechat import mini_program, official_account, payment_gateway
from server.wechat.errors import WeChatUnavailable
from server.wechat.pay import CLOSE_AFTER

log = logging.getLogger(__name__)


def dispatch_outbox() -> outbox.DispatchResult | str:
    """Send the queued WeChat pushes that are due."""
    mini = mini_program()
    try:
        mini.warm_up()  # fetch the access token before any database work begins
    except WeChatUnavailable:
        return "WeChat unavailable; messages stay queued"
    return outbox.dispatch(mini, official_account())


def generate_this_months_bills() -> fees.Generated:
    """Bills of the month that begins (quarterly and yearly fees: of its quarter/year)."""
    return fees.generate_bills(utcnow().astimezone(SHANGHAI).strftime("%Y-%m"))


def reconcile_payments() -> reconciliation.Reconciled:
    """Orders pending 5 minutes: credit what WeChat says is paid, close the expired."""
    return reconciliation.reconcile(payment_gateway(), min_age=300)


def close_cancelled_payments() -> reconciliation.Reconciled:
    """Orders their payer or a collector cancelled: closed at WeChat Pay, then here, as
    soon as WeChat Pay allows (5 minutes after they were made)."""
    seconds = int(CLOSE_AFTER.total_seconds())
    return reconciliation.reconcile(payment_gateway(), min_age=seconds, cancelled_only=True)


def payment_report():
    """Yesterday's orders compared with WeChat Pay, differences kept for the committee."""
    reports = reconciliation.daily_report(payment_gateway())
    if reports is None:
        return "WeChat Pay not configured"
    return {report.compound_id: report.summary for report in reports}
