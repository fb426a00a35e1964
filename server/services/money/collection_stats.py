"""Collection over several months, for the committee's dashboard: each month's figures
as `collection.summary` counts them (households billed, households that paid all of
the month's bills, billed and collected fen), summed by the database.

One small query per month, on the compound's own bills through
ix_bills_compound_period_status: no bill rows leave the database, and the cost follows
the compound's households, never the number of compounds in the district.
"""

from __future__ import annotations

from sqlalchemy import case, func, select

from server.errors import Forbidden
from server.extensions import db
from server.models import Bill
from server.services.money.collection import periods_of_month
from server.services.money.periods import parse_month
from server.services.people import compounds
from server.services.people.access import Principal


def monthly(principal: Principal, code: str, months: list[str]) -> list[dict]:
    """Per month ("2026-12"), in the order given: period, households_billed,
    households_paid, billed_fen, collected_fen — the figures of `collection.summary`
    for the compound. For the committee and the supervisor.

    Raises ValidationFailed (a month not YYYY-MM), NotFound, Forbidden."""
    for month in months:
        parse_month(month)
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看收缴情况", code="committee_only")
    return [_month(compound.id, month) for month in months]


def _month(compound_id: int, month: str) -> dict:
    paid = Bill.status == "paid"
    households = (
        select(
            func.sum(Bill.amount_fen).label("billed"),
            func.sum(case((paid, Bill.amount_fen), else_=0)).label("collected"),
            func.sum(case((paid, 0), else_=1)).label("unpaid"),
        )
        .where(
            Bill.compound_id == compound_id,
            Bill.period.in_(periods_of_month(month)),
            Bill.status != "cancelled",  # its meter reading was voided: owed by nobody
        )
        .group_by(Bill.household_id)
        .subquery()
    )
    billed, settled, billed_fen, collected_fen = db.session.execute(
        select(
            func.count(),
            func.sum(case((households.c.unpaid == 0, 1), else_=0)),
            func.sum(households.c.billed),
            func.sum(households.c.collected),
        )
    ).one()
    return {
        "period": month,
        "households_billed": int(billed or 0),
        "households_paid": int(settled or 0),
        "billed_fen": int(billed_fen or 0),
        "collected_fen": int(collected_fen or 0),
    }
