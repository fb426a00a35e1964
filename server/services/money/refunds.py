"""Refunds through WeChat Pay: proposed by one committee member, confirmed by a second.

A refund gives back part or all of one WeChat payment of the compound (paid, or
disputed). With an anomaly it returns that anomaly's money owed back (booked to the
refund suspense account); without one, fees the payment paid. What may be refunded
counts what is refunded already and what is in flight (proposed, confirmed, being
processed), so two proposals can never give back more than was taken.

Confirming (`pending_changes` → `confirm`) moves no money: the refund is sent right
after the confirming request commits (`refund_sending`), and the ledger moves only
when WeChat Pay says it succeeded (`refund_settlement`).
"""

from __future__ import annotations

import logging
import secrets

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import select

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from server.extensions import db
from server.models import Approval, Payment, PaymentAnomaly, Refund
from server.services.money import approvals, merchants, receipts, refund_amounts, refund_reads
from server.services.people import compounds
from server.services.people.access import Principal

log = logging.getLogger(__name__)

KIND = refund_reads.KIND


def propose(
    principal: Principal,
    code: str,
    payment_id: int,
    amount_fen: int,
    reason: str,
    anomaly_id: int | None = None,
) -> dict:
    """A committee member proposes refunding part or all of a WeChat payment; the other
    committee members are pushed it to confirm. Returns the refund as presented.

    Raises Forbidden (committee_only), NotFound (payment_not_found, anomaly_not_found),
    Conflict (payment_not_refundable, compound_archived), ValidationFailed
    (refund_exceeds_refundable), ServiceUnavailable (refund_not_configured)."""
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):  # before the lookup: ids tell nothing
        raise Forbidden("只有业委会成员可以发起退款", code="committee_only")
    payment = _locked_payment(compound.id, payment_id)
    if payment.status not in refund_amounts.REFUNDABLE_PAYMENTS or not payment.transaction_id:
        raise Conflict("只有已支付的微信支付订单可以退款", code="payment_not_refundable")
    check_configured(payment)
    anomaly = _anomaly_for(compound.id, payment, anomaly_id)
    left = refund_amounts.refundable_fen(payment, anomaly, locking=True)
    if amount_fen > left:
        raise ValidationFailed(
            f"退款金额不能超过可退的 {left / 100:.2f} 元", code="refund_exceeds_refundable"
        )
    now = utcnow()
    refund = Refund(
        compound_id=compound.id,
        payment_id=payment.id,
        anomaly_id=anomaly.id if anomaly else None,
        merchant=payment.merchant or merchants.LEGACY,
        out_refund_no=new_refund_no(now),
        amount_fen=amount_fen,
        reason=reason,
        status="proposed",
        proposed_by_id=principal.id,
        created_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    household = receipts.household_label(payment.household_id)
    approvals.propose(
        principal,
        compound_id=compound.id,
        kind=KIND,
        subject_id=refund.id,
        summary=f"微信原路退还 {household} {amount_fen / 100:.2f} 元"
        f"（订单 {payment.out_trade_no}）：{reason}",
        details={
            "refund_id": refund.id,
            "payment_id": payment.id,
            "out_trade_no": payment.out_trade_no,
            "household": household,
            "amount_fen": amount_fen,
            "anomaly_id": refund.anomaly_id,
        },
        note=reason,
        taken="这笔退款已在等待确认",
    )
    db.session.commit()
    return refund_reads.present([refund])[0]


def new_refund_no(now) -> str:
    """Ours and unique: "RF" + Beijing yyyyMMddHHmmss + 16 hex (34 characters)."""
    return f"RF{now.astimezone(SHANGHAI):%Y%m%d%H%M%S}{secrets.token_hex(8).upper()}"


def check_configured(payment: Payment) -> None:
    """The payment's merchant can refund: configured, and (a v2 merchant in production)
    with its API certificate and key. Raises ServiceUnavailable (refund_not_configured)."""
    gateway = merchants.for_payment(payment)
    settings = current_app.config["WECHAT_PAY_MERCHANTS"].get(payment.merchant or merchants.LEGACY)
    if gateway is None or settings is None:
        raise _not_configured()
    production = current_app.config["LINLI_ENV"] == "production"
    certified = settings.get("cert_file") and settings.get("key_file")
    if gateway.version == "v2" and production and not certified:
        raise _not_configured()


def _not_configured() -> ServiceUnavailable:
    return ServiceUnavailable(
        "微信支付退款尚未配置（需要商户 API 证书），请联系系统管理员",
        code="refund_not_configured",
    )


def _locked_payment(compound_id: int, payment_id: int) -> Payment:
    payment = db.session.scalars(
        select(Payment)
        .where(Payment.id == payment_id, Payment.compound_id == compound_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if payment is None:
        raise NotFound("找不到该缴费记录", code="payment_not_found")
    return payment


def _anomaly_for(compound_id: int, payment: Payment, anomaly_id: int | None):
    """The anomaly named, of this payment; for a disputed payment (all it took waits in
    the suspense account) its open anomaly even when none is named."""
    if anomaly_id is None:
        if payment.status != "disputed":
            return None
        found = db.session.scalars(
            select(PaymentAnomaly)
            .where(
                PaymentAnomaly.payment_id == payment.id,
                PaymentAnomaly.kind == "amount_disputed",
            )
            .with_for_update()
        ).first()
        if found is None:
            raise Conflict("这笔订单没有待退还的款项", code="payment_not_refundable")
        return found
    anomaly = db.session.scalars(
        select(PaymentAnomaly)
        .where(
            PaymentAnomaly.id == anomaly_id,
            PaymentAnomaly.compound_id == compound_id,
            PaymentAnomaly.payment_id == payment.id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if anomaly is None:
        raise NotFound("找不到这笔订单的该异常记录", code="anomaly_not_found")
    return anomaly


def confirm(approval: Approval, principal: Principal, _acknowledged: bool) -> None:
    """A second committee member confirms (no commit; no money moves): the refund is
    confirmed, and sent to WeChat Pay right after the confirming request commits (the
    job sends it otherwise). Raises Conflict (no longer possible)."""
    refund = db.session.get(Refund, approval.subject_id)
    payment = _locked_payment(refund.compound_id, refund.payment_id)
    refund = _locked(refund.id)
    if refund.status != "proposed":
        raise Conflict("该退款已处理", code="change_decided")
    if payment.status not in refund_amounts.REFUNDABLE_PAYMENTS:
        raise Conflict("这笔订单已不能退款", code="payment_not_refundable")
    anomaly = None
    if refund.anomaly_id is not None:  # locked: what it owes back now, not a snapshot's
        anomaly = db.session.scalars(
            select(PaymentAnomaly)
            .where(PaymentAnomaly.id == refund.anomaly_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    left = refund_amounts.refundable_fen(payment, anomaly, but=refund.id, locking=True)
    if refund.amount_fen > left:
        raise Conflict(
            f"退款金额已超过可退的 {left / 100:.2f} 元", code="refund_exceeds_refundable"
        )
    refund.status, refund.confirmed_by_id, refund.confirmed_at = "confirmed", principal.id, utcnow()
    if has_request_context():
        _send_after_request(refund.id)


def _send_after_request(refund_id: int) -> None:
    from server.services.money import refund_sending  # sending imports this module

    @after_this_request
    def _send(response):
        if response.status_code < 400:
            try:
                refund_sending.send(refund_id)
            except Exception:  # the job sends it in a minute; the answer stands
                db.session.rollback()
                log.exception("refund %s not sent at once", refund_id)
        return response


def reject(approval: Approval) -> None:
    """A second committee member rejects (the proposal is closed; no commit)."""
    refund = _locked(approval.subject_id)
    if refund.status == "proposed":
        refund.status = "rejected"


def _locked(refund_id: int) -> Refund:
    return db.session.scalars(
        select(Refund)
        .where(Refund.id == refund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
