"""A committee member other than the proposer records an approved expense as paid: a
ledger debit of its fund in the same transaction, never below zero. A paid expense is
never edited; a mistake is put right by a reversing credit with a reason."""

from __future__ import annotations

from datetime import date

from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, ValidationFailed
from server.extensions import db
from server.labels import label
from server.models.spending import Expense
from server.services.money import funds, ledger
from server.services.people.access import Principal, same_person
from server.services.photos import attachments
from server.services.spending import records


def pay(
    principal: Principal,
    expense_id: int,
    *,
    paid_on: date,
    method: str,
    proof: list[int] | None = None,
) -> Expense:
    """Record the payment: the expense row and the compound's ledger chain are locked,
    the fund's balance checked, the debit written and the expense marked paid, in one
    transaction (two payments at once: one debit, the other a 409).

    Raises NotFound, Forbidden (committee_only, same_person), Conflict (expense_state,
    confirmation_required, insufficient_funds), ValidationFailed (paid_on_in_future).
    """
    expense, _compound = records.writable(principal, expense_id, "committee")
    if same_person(principal, expense.proposed_by_id):
        raise Forbidden("提出人不能为自己提出的支出登记付款，请另一位委员登记", code="same_person")
    records.require(expense, ("approved",), "登记付款")
    if expense.large and expense.confirmed_at is None:
        raise Conflict("大额支出须另一位委员确认后才能付款", code="confirmation_required")
    if paid_on > utcnow().astimezone(SHANGHAI).date():
        raise ValidationFailed("付款日期不能晚于今天", code="paid_on_in_future")
    ledger.lock_chain(expense.compound_id)
    available = funds.balance(expense.compound_id, expense.fund, locking=True)
    if available < expense.amount_fen:
        db.session.rollback()
        name = funds.names(expense.compound_id).get(expense.fund, expense.fund)
        raise Conflict(
            f"{name}余额只有 {records.yuan(available)}，"
            f"不够支付 {records.yuan(expense.amount_fen)}",
            code="insufficient_funds",
        )
    attachments.attach(principal, expense.compound_id, "expense_proof", expense.id, proof)
    who = records.name_of(principal, expense.compound_id)
    ledger.append(
        expense.compound_id,
        [
            ledger.Movement(
                account=expense.fund,
                direction="debit",
                amount_fen=expense.amount_fen,
                source_type="expense",
                source_id=expense.id,
                memo=f"支出：{expense.purpose}，付给{expense.payee}"
                f"（{label('pay_method', method)}，{who}登记）"[:200],
            )
        ],
        principal.id,
    )
    expense.status, expense.paid_by_id, expense.paid_at = "paid", principal.id, utcnow()
    expense.paid_on, expense.pay_method = paid_on, method
    line = records.event(
        expense, principal, "pay", None, {"paid_on": paid_on.isoformat(), "method": method}
    )
    records.tell(
        expense,
        line,
        [expense.proposed_by_id],
        "支出已付款",
        f"{who}已登记付款：{expense.purpose}，{records.yuan(expense.amount_fen)}，"
        f"付给{expense.payee}。",
    )
    db.session.commit()
    return expense


def reverse(principal: Principal, expense_id: int, reason: str) -> Expense:
    """A committee member reverses a paid expense: a credit of the same amount back to
    its fund with the reason; the expense itself stays as it was paid.

    Raises NotFound, Forbidden, Conflict (expense_state, already_reversed)."""
    expense, _compound = records.writable(principal, expense_id, "committee")
    records.require(expense, ("paid",), "冲正")
    if expense.reversed_at is not None:
        raise Conflict("这笔支出已经冲正过了", code="already_reversed")
    who = records.name_of(principal, expense.compound_id)
    ledger.append(
        expense.compound_id,
        [
            ledger.Movement(
                account=expense.fund,
                direction="credit",
                amount_fen=expense.amount_fen,
                source_type="expense_reversal",
                source_id=expense.id,
                memo=f"冲正支出：{expense.purpose}。原因：{reason}（{who}登记）"[:200],
            )
        ],
        principal.id,
    )
    expense.reversed_by_id, expense.reversed_at = principal.id, utcnow()
    expense.reversal_reason = reason
    line = records.event(expense, principal, "reverse", reason)
    compound_id = expense.compound_id
    records.tell(
        expense,
        line,
        records.committee(compound_id) + records.supervisors(compound_id),
        "支出已冲正",
        f"{who}冲正了支出「{expense.purpose}」，{records.yuan(expense.amount_fen)}已退回资金。"
        f"原因：{reason}",
    )
    db.session.commit()
    return expense
