"""Payment anomalies: what the committee must look at, and how it closes them.

An anomaly is resolved by a committee member with a note; when money was received
that settled no bill (`refund_due_fen`), each refund made to the resident is
recorded with it, and the anomaly stays open until all of it is refunded.

Two people for every yuan: a refund recorded by one committee member counts only when
a second, different one confirms it (one refund waiting per anomaly); then, in one
transaction, the refund suspense account is debited and the anomaly updated.
Resolving with a note alone, when nothing is owed back, stays one person's act.
"""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import Approval, PaymentAnomaly, Refund
from server.models.payments import REFUND_IN_FLIGHT
from server.services.money import approvals, ledger
from server.services.people import compounds, users
from server.services.people.access import Principal


def anomalies_for(principal: Principal, code: str, open_only: bool = False) -> list[PaymentAnomaly]:
    """What went wrong with money in a compound, for its committee and supervisor;
    unresolved first, then newest."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    query = select(PaymentAnomaly).where(PaymentAnomaly.compound_id == compound.id)
    if open_only:
        query = query.where(PaymentAnomaly.resolved_at.is_(None))
    rows = list(
        db.session.scalars(
            query.order_by(PaymentAnomaly.resolved_at.is_not(None), PaymentAnomaly.id.desc()).limit(
                200
            )
        )
    )
    return _with_pending_refunds(principal, rows)


def _with_pending_refunds(principal: Principal, rows: list[PaymentAnomaly]) -> list:
    """Each anomaly learns the refund waiting for a second person (`pending_refund`, a
    ChangeView or None): an attribute for the presenter, not a column."""
    waiting = approvals.open_for("refund", [a.id for a in rows])
    views = approvals.views(principal, list(waiting.values()))
    by_anomaly = {view.approval.subject_id: view for view in views}
    for anomaly in rows:
        anomaly.pending_refund = by_anomaly.get(anomaly.id)
    return rows


def resolve(
    principal: Principal, code: str, anomaly_id: int, resolution: str, refunded_fen: int = 0
) -> tuple[PaymentAnomaly, bool]:
    """A committee member records what was done about an anomaly: a note and, when
    money is owed back, a refund made. A refund waits for a second committee member
    (who is pushed it) and counts only once confirmed; a note alone, with nothing owed
    back, resolves the anomaly at once. The anomaly is resolved once everything owed is
    refunded — at once, or over several refunds. Returns the anomaly and whether a
    refund now waits. Raises NotFound, Forbidden, Conflict (compound_archived too),
    ValidationFailed."""
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):  # before the lookup: ids tell nothing
        raise Forbidden("只有业委会成员可以处理缴费异常", code="committee_only")
    anomaly = db.session.scalars(
        select(PaymentAnomaly)
        .where(PaymentAnomaly.id == anomaly_id, PaymentAnomaly.compound_id == compound.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if anomaly is None:
        raise NotFound("找不到该异常记录", code="anomaly_not_found")
    if anomaly.resolved_at is not None:
        raise Conflict("该异常已处理", code="anomaly_resolved")
    _no_wechat_refund_under_way(anomaly)
    left = refund_left(anomaly)
    if refunded_fen > left:
        raise ValidationFailed(
            f"退款不能超过尚未退还的 {left / 100:.2f} 元", code="refund_exceeds_due"
        )
    if left and not refunded_fen:
        raise ValidationFailed(
            f"请填写本次已退款金额（尚需退还 {left / 100:.2f} 元）", code="refund_required"
        )
    if refunded_fen:
        _propose_refund(principal, anomaly, refunded_fen, resolution, left)
    else:
        anomaly.resolution, anomaly.resolved_by_id = resolution, principal.id
        anomaly.resolved_at = utcnow()
    db.session.commit()
    return _with_pending_refunds(principal, [anomaly])[0], bool(refunded_fen)


def _propose_refund(
    principal: Principal, anomaly: PaymentAnomaly, amount_fen: int, note: str, left: int
) -> None:
    details = anomaly.details or {}
    whom = details.get("household") or (
        f"订单 {details['out_trade_no']}" if details.get("out_trade_no") else f"异常 {anomaly.id}"
    )
    approvals.propose(
        principal,
        compound_id=anomaly.compound_id,
        kind="refund",
        subject_id=anomaly.id,
        summary=f"已退还{whom} {amount_fen / 100:.2f} 元（尚需退还 {left / 100:.2f} 元）：{note}",
        details={"refunded_fen": amount_fen, "left_fen": left, "anomaly_kind": anomaly.kind},
        note=note,
        taken="这笔异常已有一笔退款在等待确认，请先确认或驳回那一笔",
    )


def apply_refund(approval: Approval, principal: Principal, _acknowledged: bool) -> None:
    """A second committee member confirms a refund (no commit): the refund suspense
    account is debited and the anomaly records it, resolved when nothing is left.

    Raises Conflict (resolved meanwhile; more than is still owed back).
    """
    anomaly = db.session.scalars(
        select(PaymentAnomaly)
        .where(PaymentAnomaly.id == approval.subject_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if anomaly.resolved_at is not None:
        raise Conflict("该异常已处理", code="anomaly_resolved")
    _no_wechat_refund_under_way(anomaly)
    amount, left = approval.details["refunded_fen"], refund_left(anomaly)
    if amount > left:
        raise Conflict(f"退款不能超过尚未退还的 {left / 100:.2f} 元", code="refund_exceeds_due")
    anomaly.resolution, anomaly.resolved_by_id = approval.note, approval.proposed_by_id
    anomaly.refunded_fen = (anomaly.refunded_fen or 0) + amount
    if amount == left:
        anomaly.resolved_at = utcnow()
    people = users.names_in(approval.compound_id, {approval.proposed_by_id, principal.id})
    who = f"{people[approval.proposed_by_id]}登记，{people[principal.id]}确认"
    ledger.append(anomaly.compound_id, [_refund(anomaly, amount, approval.note, who)], principal.id)


def _no_wechat_refund_under_way(anomaly: PaymentAnomaly) -> None:
    """A refund recorded by hand, or a note alone, while a refund of the same money
    through WeChat Pay is proposed or on its way would give it back twice (and the
    WeChat refund settles the anomaly itself). Raises Conflict."""
    under_way = db.session.scalar(
        select(Refund.id).where(
            Refund.anomaly_id == anomaly.id, Refund.status.in_(REFUND_IN_FLIGHT)
        )
    )
    if under_way is not None:
        raise Conflict(
            "这笔异常的款项正在通过微信原路退回，请等退款完成或被驳回后再处理",
            code="wechat_refund_under_way",
        )


def refund_left(anomaly: PaymentAnomaly) -> int:
    """What is still owed back on an anomaly, in fen."""
    due = int((anomaly.details or {}).get("refund_due_fen") or 0)
    return max(due - (anomaly.refunded_fen or 0), 0)


def _refund(anomaly: PaymentAnomaly, amount_fen: int, note: str, who: str) -> ledger.Movement:
    details = anomaly.details or {}
    whom = details.get("household") or f"订单 {details.get('out_trade_no')}"
    return ledger.Movement(
        account=ledger.REFUND_DUE,
        direction="debit",
        amount_fen=amount_fen,
        source_type="refund",
        source_id=anomaly.id,
        memo=f"退款 {amount_fen / 100:.2f} 元给{whom}：{note}，{who}"[:200],
    )
