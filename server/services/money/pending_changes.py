"""The second person's decision on a change of money: confirm it (only then does it
count) or reject it with a reason. One list for the committee, whatever the kind."""

from __future__ import annotations

from server.extensions import db
from server.services.governance import roster_changes
from server.services.money import (
    anomalies,
    approvals,
    fee_items,
    meter_confirmations,
    meter_voids,
    refunds,
)
from server.services.people.access import Principal

# What confirming each kind does (in the confirming transaction), and rejecting it.
_CONFIRM = {
    "meter_reading": meter_confirmations.confirm,
    "meter_void": meter_voids.apply,
    "fee_change": fee_items.apply,
    "refund": anomalies.apply_refund,
    "roster_change": roster_changes.confirm,
    "wechat_refund": refunds.confirm,
}
# What rejecting a kind does besides closing it (run once it is closed).
_REJECT = {
    "meter_reading": meter_confirmations.reject,
    "roster_change": roster_changes.reject,
    "wechat_refund": refunds.reject,
}

listed = approvals.pending_for
waiting = approvals.waiting_counts


def confirm(
    principal: Principal, code: str, approval_id: int, acknowledge_flag: bool = False
) -> approvals.ChangeView:
    """A committee member other than the proposer confirms: the change is made and the
    proposal closed in one transaction. `acknowledge_flag` says a flagged meter reading
    was checked.

    Raises NotFound, Forbidden (not committee; same_person), Conflict (decided already;
    what the change needs no longer holds), ValidationFailed (a flag not acknowledged).
    """
    approval = approvals.decidable(principal, code, approval_id)
    _CONFIRM[approval.kind](approval, principal, acknowledge_flag)
    approvals.close(approval, principal, "confirmed")
    db.session.commit()
    return approvals.views(principal, [approval])[0]


def reject(principal: Principal, code: str, approval_id: int, reason: str) -> approvals.ChangeView:
    """A committee member other than the proposer rejects with a reason: nothing changes
    (a rejected meter reading frees its month for a corrected one).

    Raises NotFound, Forbidden (not committee; same_person), Conflict (decided already).
    """
    approval = approvals.decidable(principal, code, approval_id)
    approvals.close(approval, principal, "rejected", reason)
    undo = _REJECT.get(approval.kind)
    if undo:
        undo(approval)
    db.session.commit()
    return approvals.views(principal, [approval])[0]
