"""The finance supervisor approves an expense or objects to it (which stops it until
the committee changes or withdraws it); a large one also needs a second committee
member's confirmation while the compound's rule is "second_member" (the stand-in for
an owners' decision)."""

from __future__ import annotations

from sqlalchemy import select

from server.clock import utcnow
from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.models.spending import Expense, ExpenseEvent
from server.services.people.access import Principal, same_person
from server.services.spending import records


def approve(principal: Principal, expense_id: int, note: str | None = None) -> Expense:
    """The supervisor approves a proposed expense (not one they proposed themself).
    Raises NotFound, Forbidden (supervisor_only, same_person), Conflict (expense_state)."""
    expense, _compound = records.writable(principal, expense_id, "supervisor")
    _not_proposer(principal, expense, "审核")
    records.require(expense, ("proposed",), "审核通过")
    expense.status = "approved"
    expense.approved_by_id, expense.approved_at = principal.id, utcnow()
    line = records.event(expense, principal, "approve", note, {"version": expense.version})
    who = records.name_of(principal, expense.compound_id)
    then = (
        "还须另一位委员确认后才能付款"
        if expense.large and not expense.confirmed_at
        else "可以付款了"
    )
    records.tell(
        expense,
        line,
        records.committee(expense.compound_id),
        "支出已审核通过",
        f"财务监督{who}审核通过了支出：{expense.purpose}，{records.yuan(expense.amount_fen)}。"
        f"{then}（须由提出人以外的委员登记付款）。",
    )
    db.session.commit()
    return expense


def object_to(principal: Principal, expense_id: int, reason: str) -> Expense:
    """The supervisor objects with a reason: the expense stops ("objected") until the
    committee changes or withdraws it. Raises NotFound, Forbidden, Conflict."""
    expense, _compound = records.writable(principal, expense_id, "supervisor")
    _not_proposer(principal, expense, "审核")
    records.require(expense, ("proposed", "approved"), "提出异议")
    expense.status = "objected"
    expense.objected_by_id, expense.objected_at, expense.objection = principal.id, utcnow(), reason
    expense.approved_by_id = expense.approved_at = None
    line = records.event(expense, principal, "object", reason, {"version": expense.version})
    who = records.name_of(principal, expense.compound_id)
    records.tell(
        expense,
        line,
        records.committee(expense.compound_id),
        "支出有异议，已暂停",
        f"财务监督{who}对支出「{expense.purpose}」提出异议：{reason}。请修改后重新提交，或撤回。",
    )
    db.session.commit()
    return expense


def confirm(principal: Principal, expense_id: int) -> Expense:
    """A second committee member (not the proposer) confirms a large expense, standing
    in for the owners' decision. Raises NotFound, Forbidden (committee_only,
    same_person), Conflict (not_large, decision_required, already_confirmed,
    expense_state)."""
    expense, compound = records.writable(principal, expense_id, "committee")
    if not expense.large:
        raise Conflict("这笔支出不是大额支出，不需要确认", code="not_large")
    if compound.large_expense_rule != "second_member":
        raise Conflict(
            "本小区大额支出须经业主大会表决通过，不能由委员确认代替", code="decision_required"
        )
    _not_proposer(principal, expense, "确认")
    records.require(expense, ("proposed", "approved"), "确认")
    if expense.confirmed_at is not None:
        raise Conflict("这笔支出已由其他委员确认", code="already_confirmed")
    expense.confirmed_by_id, expense.confirmed_at = principal.id, utcnow()
    line = records.event(expense, principal, "confirm", None, {"version": expense.version})
    who = records.name_of(principal, expense.compound_id)
    records.tell(
        expense,
        line,
        records.committee(expense.compound_id),
        "大额支出已确认",
        f"{who}确认了大额支出：{expense.purpose}，{records.yuan(expense.amount_fen)}。",
    )
    db.session.commit()
    return expense


def _not_proposer(principal: Principal, expense: Expense, doing: str) -> None:
    if same_person(principal, expense.proposed_by_id):
        raise Forbidden(f"提出人不能{doing}自己提出的支出，请另一位同事办理", code="same_person")


def confirm_by_decision(
    expense_id: int, compound_id: int, proposal_id: int, version: int | None = None
) -> Expense:
    """The owners' decision (a passed proposal, 第N号) gives a large expense the
    confirmation its compound's rule asks for, so it can be paid once approved (no
    commit). `version`: the expense's version the owners voted on. Raises NotFound
    (expense_not_found), Conflict (not_large, already_confirmed, expense_state,
    expense_changed)."""
    expense = db.session.scalars(
        select(Expense)
        .where(Expense.id == expense_id, Expense.compound_id == compound_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if expense is None:
        raise NotFound(records.NOT_FOUND, code="expense_not_found")
    if not expense.large:
        raise Conflict("这笔支出不是大额支出，不需要确认", code="not_large")
    records.require(expense, ("proposed", "approved"), "确认")
    if version is not None and expense.version != version:
        raise Conflict(
            f"这笔支出在表决后被修改过（表决的是第{version}版，现在是第{expense.version}版），"
            "须重新提交业主大会表决",
            code="expense_changed",
        )
    if expense.confirmed_at is not None:
        raise Conflict("这笔支出已经确认过", code="already_confirmed")
    expense.confirmed_by_id, expense.confirmed_at = None, utcnow()
    note = f"业主大会表决通过（第{proposal_id}号）"
    line = ExpenseEvent(
        expense_id=expense.id,
        compound_id=expense.compound_id,
        actor_id=None,
        action="confirm",
        note=note,
        data={"version": expense.version, "proposal_id": proposal_id},
    )
    db.session.add(line)
    db.session.flush()
    records.tell(
        expense,
        line,
        records.committee(expense.compound_id),
        "大额支出经业主大会表决通过",
        f"支出「{expense.purpose}」（{records.yuan(expense.amount_fen)}）经{note}，"
        "审核通过后即可付款。",
    )
    return expense
