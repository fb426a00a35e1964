"""What a passed proposal changes besides its words, applied when it closes:

- fee_rate: a fee change proposed in the name of the proposal's author, which a second
  committee member confirms through the pending changes (the two-person fee rule);
- expense: the large expense's confirmation, given by the owners' decision, so it can
  be paid under the compound's "owners_decision" rule.

A failed proposal changes nothing. What could not be applied (the author gone, another
change of the fee waiting, the expense withdrawn meanwhile) is written in `effect_note`
for the committee, and the close goes on.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from server.clock import utcnow
from server.errors import AppError
from server.extensions import db
from server.models import Proposal
from server.services.money import fee_items
from server.services.people.access import load_principal
from server.services.spending import decisions as expense_decisions

log = logging.getLogger(__name__)


def apply(proposal: Proposal) -> None:
    """Apply a passed proposal's effect in the closing transaction (no commit)."""
    effect = proposal.effect or {}
    kind = effect.get("kind", "none")
    if kind == "none":
        return
    try:
        with db.session.begin_nested():
            note = _APPLY[kind](proposal, effect)
    except AppError as error:
        log.warning("proposal %s: effect not applied: %s", proposal.id, error.code)
        proposal.effect_note = f"未能自动执行：{error.message}"[:200]
        return
    proposal.effect_applied_at = utcnow()
    proposal.effect_note = note[:200]


def _fee_rate(proposal: Proposal, effect: dict) -> str:
    author = load_principal(proposal.created_by_id)
    if author is None:
        raise AppError("提出人的账号已停用，请由业委会成员按表决结果提交收费标准调整")
    approval = fee_items.propose_for_decision(
        author,
        proposal.compound_id,
        effect["item"],
        Decimal(effect["rate"]),
        effect.get("from_period"),
        proposal.id,
    )
    return f"已提交收费标准调整（{approval.details['effective_label']}），待另一位委员确认"


def _expense(proposal: Proposal, effect: dict) -> str:
    expense_decisions.confirm_by_decision(
        int(effect["expense_id"]), proposal.compound_id, proposal.id, effect.get("version")
    )
    return "大额支出已由业主大会表决确认，审核通过后可以付款"


_APPLY = {"fee_rate": _fee_rate, "expense": _expense}
