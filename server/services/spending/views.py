"""Spending in the open: every member of a compound reads its funds and every expense
(amounts, purpose, payee, receipts, who acted for the compound, the history). Committee
and supervisor names are public: they act for the compound. Nothing here says who paid
fees."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, false, func, or_, select

from server.extensions import db
from server.labels import label
from server.models import Compound
from server.models.spending import Expense, ExpenseEvent
from server.services import cursors
from server.services.money import funds
from server.services.people import compounds, users
from server.services.people.access import Principal, same_person
from server.services.photos import attachments
from server.services.spending import records

PAGE_SIZE = 20
PEOPLE = ("proposed_by", "approved_by", "confirmed_by", "objected_by", "paid_by", "reversed_by")


@dataclass
class ExpenseView:
    expense: Expense
    compound: str
    fund_name: str
    category_label: str
    status_label: str
    names: dict[str, str | None]
    receipts: list[int]
    proofs: list[int]
    actions: list[str]
    history: list[dict] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return self.expense.large and self.expense.confirmed_at is None


def compound_funds(principal: Principal, code: str) -> list[funds.Fund]:
    """Each fund with its balance and this month's money in and out (any member)."""
    compound = compounds.member_compound(principal, code)
    return funds.balances(compound.id)


def actions(principal: Principal, expense: Expense, compound: Compound) -> list[str]:
    """The steps the caller may take on the expense now."""
    if compound.archived_at is not None:
        return []
    status, mine = expense.status, same_person(principal, expense.proposed_by_id)
    found = []
    if principal.supervisor_of(compound.id) and not mine:
        if status == "proposed":
            found.append("approve")
        if status in ("proposed", "approved"):
            found.append("object")
    if principal.committee_of(compound.id):
        if status in ("proposed", "objected"):
            found.append("change")
        if (
            expense.large
            and expense.confirmed_at is None
            and status in ("proposed", "approved")
            and compound.large_expense_rule == "second_member"
            and not mine
        ):
            found.append("confirm")
        if status == "approved" and not mine and not (expense.large and not expense.confirmed_at):
            found.append("pay")
        if status in ("proposed", "objected", "approved"):
            found.append("withdraw")
        if status == "paid" and expense.reversed_at is None:
            found.append("reverse")
    return found


def detail(principal: Principal, expense_id: int) -> ExpenseView:
    """One expense with its receipts, history and the caller's actions (any member)."""
    expense = records.visible(principal, expense_id)
    view = _views(principal, [expense])[0]
    lines = list(
        db.session.scalars(
            select(ExpenseEvent)
            .where(ExpenseEvent.expense_id == expense.id)
            .order_by(ExpenseEvent.id)
        )
    )
    people = users.names_in(expense.compound_id, {line.actor_id for line in lines})
    view.history = [
        {
            "action": line.action,
            "what": label("expense_action", line.action),
            "actor": people.get(line.actor_id),
            "note": line.note,
            "data": line.data,
            "at": line.created_at,
        }
        for line in lines
    ]
    return view


def listing(
    principal: Principal,
    code: str,
    *,
    status: str | None = None,
    waiting_for_me: bool = False,
    cursor: str | None = None,
) -> tuple[list[ExpenseView], str | None, int]:
    """A compound's expenses, newest first, a page at a time (any member), and how many
    wait for the caller (the supervisor's queue, a second member's confirmation, a
    payment to record). Raises NotFound, ValidationFailed (bad_cursor)."""
    compound = compounds.member_compound(principal, code)
    before = cursors.decode(cursor)
    query = select(Expense).where(Expense.compound_id == compound.id)
    if status:
        query = query.where(Expense.status == status)
    waiting = _waiting(principal, compound)
    if waiting_for_me:
        query = query.where(waiting)
    if before is not None:
        query = query.where(Expense.id < before)
    rows = list(db.session.scalars(query.order_by(Expense.id.desc()).limit(PAGE_SIZE + 1)))
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    count = db.session.scalar(
        select(func.count(Expense.id)).where(Expense.compound_id == compound.id, waiting)
    )
    next_cursor = cursors.encode(rows[-1].id) if more else None
    return _views(principal, rows), next_cursor, int(count or 0)


def waiting_count(principal: Principal, code: str) -> int:
    """How many of the compound's expenses wait for the caller: the count `listing`
    gives with its page, without the page. Raises NotFound."""
    compound = compounds.member_compound(principal, code)
    waiting = _waiting(principal, compound)
    count = db.session.scalar(
        select(func.count(Expense.id)).where(Expense.compound_id == compound.id, waiting)
    )
    return int(count or 0)


def _waiting(principal: Principal, compound: Compound):
    """What waits for the caller, as a condition (false for residents and archived)."""
    if compound.archived_at is not None:
        return false()
    not_mine = Expense.proposed_by_id != principal.id
    parts = []
    if principal.supervisor_of(compound.id):
        parts.append(and_(Expense.status == "proposed", not_mine))
    if principal.committee_of(compound.id):
        unconfirmed = and_(Expense.large.is_(True), Expense.confirmed_at.is_(None))
        if compound.large_expense_rule == "second_member":
            parts.append(and_(unconfirmed, Expense.status.in_(("proposed", "approved")), not_mine))
        parts.append(and_(Expense.status == "approved", ~unconfirmed, not_mine))
    return or_(*parts) if parts else false()


def _views(principal: Principal, rows: list[Expense]) -> list[ExpenseView]:
    if not rows:
        return []
    compound = db.session.get(Compound, rows[0].compound_id)
    fund_names = funds.names(compound.id)
    ids = [e.id for e in rows]
    receipts = attachments.of("expense_receipt", ids)
    proofs = attachments.of("expense_proof", ids)
    people = users.names_in(compound.id, {getattr(e, f"{who}_id") for e in rows for who in PEOPLE})
    return [
        ExpenseView(
            expense=e,
            compound=compound.code,
            fund_name=fund_names.get(e.fund, e.fund),
            category_label=label("expense_category", e.category),
            status_label=label("expense_status", e.status),
            names={who: people.get(getattr(e, f"{who}_id")) for who in PEOPLE},
            receipts=receipts[e.id],
            proofs=proofs[e.id],
            actions=actions(principal, e, compound),
        )
        for e in rows
    ]
