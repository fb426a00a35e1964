"""Payment anomalies: what the committee must look at, and how it closes them.

An anomaly is resolved by a committee member with a note; when money was received
that settled no bill (`refund_due_fen`), each refund made to the resident is
recorded with it, as a debit of the refund suspense account in the same
transaction, and the anomaly stays open until all of it is refunded.
"""

from __future__ import annotations

from sqlalchemy import select

from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import PaymentAnomaly, utcnow
from server.services import compounds, ledger
from server.services.access import Principal


def anomalies_for(principal: Principal, code: str, open_only: bool = False) -> list[PaymentAnomaly]:
    """What went wrong with money in a compound, for its committee and supervisor;
    unresolved first, then newest."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    query = select(PaymentAnomaly).where(PaymentAnomaly.compound_id == compound.id)
    if open_only:
        query = query.where(PaymentAnomaly.resolved_at.is_(None))
    return list(
        db.session.scalars(
            query.order_by(PaymentAnomaly.resolved_at.is_not(None), PaymentAnomaly.id.desc()).limit(
                200
            )
        )
    )


def resolve(
    principal: Principal, code: str, anomaly_id: int, resolution: str, refunded_fen: int = 0
) -> PaymentAnomaly:
    """A committee member records what was done about an anomaly: a note and, when
    money is owed back, a refund made (each refund a debit of the refund account).
    The anomaly is resolved once everything owed is refunded — at once, or over
    several refunds. Raises NotFound, Forbidden, Conflict, ValidationFailed."""
    compound = compounds.member_compound(principal, code)
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
    left = refund_left(anomaly)
    if refunded_fen > left:
        raise ValidationFailed(
            f"退款不能超过尚未退还的 {left / 100:.2f} 元", code="refund_exceeds_due"
        )
    if left and not refunded_fen:
        raise ValidationFailed(
            f"请填写本次已退款金额（尚需退还 {left / 100:.2f} 元）", code="refund_required"
        )
    anomaly.resolution, anomaly.resolved_by_id = resolution, principal.id
    anomaly.refunded_fen = (anomaly.refunded_fen or 0) + refunded_fen
    if refunded_fen == left:
        anomaly.resolved_at = utcnow()
    if refunded_fen:
        ledger.append(compound.id, [_refund(anomaly, refunded_fen, resolution)], principal.id)
    db.session.commit()
    return anomaly


def refund_left(anomaly: PaymentAnomaly) -> int:
    """What is still owed back on an anomaly, in fen."""
    due = int((anomaly.details or {}).get("refund_due_fen") or 0)
    return max(due - (anomaly.refunded_fen or 0), 0)


def _refund(anomaly: PaymentAnomaly, amount_fen: int, note: str) -> ledger.Movement:
    return ledger.Movement(
        account=ledger.REFUND_DUE,
        direction="debit",
        amount_fen=amount_fen,
        source_type="refund",
        source_id=anomaly.id,
        memo=f"refund for {anomaly.details.get('out_trade_no')}: {note}"[:200],
    )
