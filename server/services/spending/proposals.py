"""A committee member proposes an expense, changes it (which asks for a new approval)
or withdraws it. The finance supervisor is pushed what waits for their review."""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Forbidden, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models import Compound, Issue
from server.models.spending import Expense
from server.services.money import funds
from server.services.money.ledger import REFUND_DUE
from server.services.people import compounds
from server.services.people.access import Principal
from server.services.photos import attachments
from server.services.spending import records

# What a change may touch; anything else of an expense is its history.
FIELDS = ("fund", "amount_fen", "purpose", "payee", "category", "issue_id")


def propose(principal: Principal, code: str, **fields) -> Expense:
    """A committee member proposes an expense: it waits for the supervisor ("proposed").

    Raises NotFound (another compound), Forbidden (committee_only), Conflict
    (compound_archived), ValidationFailed (fund_unknown, issue_not_found, photo_invalid).
    """
    compound = compounds.writable_compound(principal, code)
    if not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以提出支出", code="committee_only")
    receipts = fields.pop("receipts", None) or []
    _check(compound, fields)
    expense = Expense(
        compound_id=compound.id,
        status="proposed",
        version=1,
        large=fields["amount_fen"] > compound.expense_threshold_fen,
        proposed_by_id=principal.id,
        created_at=utcnow(),
        **fields,
    )
    db.session.add(expense)
    db.session.flush()
    attachments.attach(principal, compound.id, "expense_receipt", expense.id, receipts)
    line = records.event(expense, principal, "propose")
    _ask_review(expense, line, principal, "新的支出待审核")
    db.session.commit()
    return expense


def change(principal: Principal, expense_id: int, note: str | None, **fields) -> Expense:
    """A committee member changes a proposed or objected expense: a new version, its
    approval and confirmation cleared, back to "proposed" for the supervisor.

    Raises NotFound, Forbidden, Conflict (expense_state), ValidationFailed
    (nothing_changed, fund_unknown, issue_not_found, photo_invalid).
    """
    expense, compound = records.writable(principal, expense_id, "committee")
    records.require(expense, ("proposed", "objected"), "修改")
    receipts = fields.pop("receipts", None) or []
    wanted = {k: v for k, v in fields.items() if k in FIELDS}
    _check(compound, {**{k: getattr(expense, k) for k in FIELDS}, **wanted})
    changes = {k: [getattr(expense, k), v] for k, v in wanted.items() if getattr(expense, k) != v}
    if not changes and not receipts:
        raise ValidationFailed("没有要修改的内容", code="nothing_changed")
    for key, (_old, new) in changes.items():
        setattr(expense, key, new)
    attachments.attach(principal, compound.id, "expense_receipt", expense.id, receipts)
    if receipts:
        changes["receipts"] = [None, len(receipts)]
    expense.large = expense.amount_fen > compound.expense_threshold_fen
    expense.version += 1
    expense.status, expense.changed_at = "proposed", utcnow()
    expense.approved_by_id = expense.approved_at = None
    expense.confirmed_by_id = expense.confirmed_at = None
    expense.objected_by_id = expense.objected_at = expense.objection = None
    line = records.event(
        expense, principal, "change", note, {"version": expense.version, "changes": changes}
    )
    _ask_review(expense, line, principal, "支出已修改，请重新审核")
    db.session.commit()
    return expense


def withdraw(principal: Principal, expense_id: int, note: str | None) -> Expense:
    """A committee member withdraws an expense not yet paid. Raises NotFound, Forbidden,
    Conflict (expense_state)."""
    expense, _compound = records.writable(principal, expense_id, "committee")
    records.require(expense, ("proposed", "objected", "approved"), "撤回")
    expense.status = "withdrawn"
    expense.withdrawn_by_id, expense.withdrawn_at = principal.id, utcnow()
    line = records.event(expense, principal, "withdraw", note)
    who = records.name_of(principal, expense.compound_id)
    records.tell(
        expense,
        line,
        [*records.supervisors(expense.compound_id), expense.proposed_by_id],
        "支出已撤回",
        f"{who}撤回了支出：{expense.purpose}，{records.yuan(expense.amount_fen)}。",
    )
    db.session.commit()
    return expense


def _check(compound: Compound, fields: dict) -> None:
    """The fund is one of the compound's (not the refund suspense), the issue is of
    this compound. Raises ValidationFailed."""
    if fields["fund"] == REFUND_DUE or not funds.is_fund(compound.id, fields["fund"]):
        raise ValidationFailed("请选择本小区的一项资金", code="fund_unknown")
    issue_id = fields.get("issue_id")
    if issue_id is not None and not db.session.scalar(
        select(Issue.id).where(Issue.id == issue_id, Issue.compound_id == compound.id)
    ):
        raise ValidationFailed("找不到这条报事，请核对", code="issue_not_found")


def _ask_review(expense: Expense, line, principal: Principal, title: str) -> None:
    """The supervisor reviews; a large one also waits for a second committee member."""
    who = records.name_of(principal, expense.compound_id)
    what = f"{label('expense_category', expense.category)}：{expense.purpose}"
    body = (
        f"{who}提出支出（{what}，{records.yuan(expense.amount_fen)}，收款方 {expense.payee}），"
        "请在小程序「支出」里审核。"
    )
    records.tell(expense, line, records.supervisors(expense.compound_id), title, body)
    if expense.large:
        records.tell(
            expense,
            line,
            records.committee(expense.compound_id),
            "大额支出待第二位委员确认",
            f"{who}提出大额支出（{what}，{records.yuan(expense.amount_fen)}），"
            "须由另一位业委会成员确认。",
            key="c",
        )
