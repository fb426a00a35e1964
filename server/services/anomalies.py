"""Payment anomalies: what the committee must look at, and how it closes them.

An anomaly is resolved by a committee member with a note; when money was received
that settled no bill (`refund_due_fen`), the refund made to the resident is recorded
at the same time, as a debit of the refund suspense account in the same transaction.
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
    """A committee member closes an anomaly with a note and, if money is owed back,
    the amount refunded (at most what is due). Raises NotFound, Forbidden, Conflict,
    ValidationFailed."""
    compound = compounds.member_compound(principal, code)
    anomaly = db.session.scalars(
        select(PaymentAnomaly)
        .where(PaymentAnomaly.id == anomaly_id, PaymentAnomaly.compound_id == compound.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if anomaly is None:
        raise NotFound("找不到该异常记录", code="anomaly_not_found")
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以处理缴费异常", code="committee_only")
    if anomaly.resolved_at is not None:
        raise Conflict("该异常已处理", code="anomaly_resolved")
    due = int((anomaly.details or {}).get("refund_due_fen") or 0)
    if refunded_fen > due:
        raise ValidationFailed(
            f"退款不能超过应退金额 {due / 100:.2f} 元", code="refund_exceeds_due"
        )
    anomaly.resolved_at, anomaly.resolved_by_id = utcnow(), principal.id
    anomaly.resolution, anomaly.refunded_fen = resolution, refunded_fen
    if refunded_fen:
        ledger.append(
            compound.id,
            [
                ledger.Movement(
                    account=ledger.REFUND_DUE,
                    direction="debit",
                    amount_fen=refunded_fen,
                    source_type="refund",
                    source_id=anomaly.id,
                    memo=f"refund for {anomaly.details.get('out_trade_no')}: {resolution}"[:200],
                )
            ],
            principal.id,
        )
    db.session.commit()
    return anomaly
