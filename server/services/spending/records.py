"""What every step of an expense shares: finding it for the caller (locked for a
write), checking its state, writing its history line, and the pushes."""

from __future__ import annotations

from sqlalchemy import select

from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.labels import label
from server.models import Compound
from server.models.spending import Expense, ExpenseEvent
from server.services.messaging import notify
from server.services.messaging.messages import Message, shorten, wx_time
from server.services.people import compounds, users
from server.services.people.access import Principal

NOT_FOUND = "找不到这笔支出"


def page(expense_id: int) -> str:
    return f"pages/expense/index?id={expense_id}"


def visible(principal: Principal, expense_id: int, *, lock: bool = False) -> Expense:
    """The expense if the caller belongs to its compound (anyone there may read it);
    locked until commit for a write. Raises NotFound."""
    query = select(Expense).where(Expense.id == expense_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    expense = db.session.scalars(query).first()
    if expense is None or expense.compound_id not in principal.compound_ids:
        raise NotFound(NOT_FOUND, code="expense_not_found")
    return expense


def writable(principal: Principal, expense_id: int, role: str) -> tuple[Expense, Compound]:
    """The expense locked for a step of `role` ("committee" or "supervisor") with its
    open compound. Raises NotFound, Conflict (compound_archived), Forbidden."""
    expense = visible(principal, expense_id, lock=True)
    compound = db.session.get(Compound, expense.compound_id)
    compounds.ensure_open(compound)
    if role == "committee" and not principal.committee_of(compound.id):
        raise Forbidden("只有业委会成员可以办理支出", code="committee_only")
    if role == "supervisor" and not principal.supervisor_of(compound.id):
        raise Forbidden("只有财务监督可以审核支出", code="supervisor_only")
    return expense, compound


def require(expense: Expense, allowed: tuple[str, ...], doing: str) -> None:
    """Raises Conflict (expense_state) when the expense is not in one of `allowed`."""
    if expense.status not in allowed:
        now = label("expense_status", expense.status)
        raise Conflict(f"这笔支出现在是「{now}」，不能{doing}，请刷新后查看", code="expense_state")


def event(
    expense: Expense,
    principal: Principal,
    action: str,
    note: str | None = None,
    data: dict | None = None,
) -> ExpenseEvent:
    """A line of the expense's history (no commit)."""
    line = ExpenseEvent(
        expense_id=expense.id,
        compound_id=expense.compound_id,
        actor_id=principal.id,
        action=action,
        note=note,
        data=data,
    )
    db.session.add(line)
    db.session.flush()
    return line


def name_of(principal: Principal, compound_id: int) -> str:
    return users.names_in(compound_id, [principal.id])[principal.id]


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d} 元"


def tell(
    expense: Expense,
    line: ExpenseEvent,
    user_ids: list[int],
    title: str,
    body: str,
    *,
    volunteers: bool = True,
    key: str = "",
) -> None:
    """Push `user_ids` (the actor left out) what now waits for them, and put it in
    their inbox; once per history line."""
    recipients = [uid for uid in user_ids if uid != line.actor_id]
    message = Message(
        kind="expense",
        template="reminder",
        title=shorten(title, 60),
        body=body,
        data={
            "thing1": shorten(title),
            "thing2": shorten(f"{expense.purpose} {yuan(expense.amount_fen)}"),
            "time3": wx_time(line.created_at),
        },
        page=page(expense.id),
    )
    occasion = notify.Occasion(f"exp{expense.id}e{line.id}{key}", expense.compound_id)
    notify.deliver(message, recipients, occasion, volunteers=volunteers)


def committee(compound_id: int) -> list[int]:
    return notify.compound_members(compound_id, "committee")


def supervisors(compound_id: int) -> list[int]:
    return notify.compound_members(compound_id, "supervisor")
