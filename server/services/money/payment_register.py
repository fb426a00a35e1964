"""The compound's register of money coming in, for its committee and finance supervisor:
every WeChat Pay order and every cash or transfer payment, a page at a time with
filters, and one offline payment with the bills it covers (the desk's 缴费记录 and the
checker's view of 待确认的现金)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, cast, select

from server.clock import SHANGHAI
from server.errors import Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import (
    Bill,
    Building,
    Compound,
    FeeItem,
    Household,
    OfflinePayment,
    OfflinePaymentBill,
    Payment,
    Unit,
)
from server.services import cursors
from server.services.people import compounds, users
from server.services.people.access import Principal, record_access

KINDS = ("wechat", "offline")
STATUSES = {
    "wechat": ("pending", "paid", "closed", "disputed"),
    "offline": ("pending", "confirmed", "rejected"),
}
FLAT = cast(Building.number, String) + "-" + cast(Unit.number, String) + "-" + Household.room


@dataclass(frozen=True)
class Filters:
    kind: str = "wechat"
    status: str | None = None
    since: date | None = None  # Shanghai days, both ends included
    until: date | None = None
    building: int | None = None


@dataclass(frozen=True)
class Row:
    kind: str
    id: int
    flat: str
    amount_fen: int
    status: str
    day: date  # paid (or ordered) on, in Shanghai
    method: str  # "wechat" or the offline method
    trade_no: str | None = None
    transaction_id: str | None = None
    recorded_by: str | None = None
    decided_by: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RegisterPage:
    items: list[Row]
    next_cursor: str | None


@dataclass(frozen=True)
class BillLine:
    bill_id: int
    period: str
    fee_name: str
    amount_fen: int


@dataclass(frozen=True)
class OfflineView:
    payment: OfflinePayment
    flat: str
    bills: list[BillLine]
    recorded_by: str
    decided_by: str | None


def _checked(principal: Principal, code: str) -> Compound:
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    return compound


def check_filters(filters: Filters) -> None:
    """Raises ValidationFailed for a kind or status the register does not have, or
    dates the wrong way round."""
    if filters.kind not in KINDS:
        raise ValidationFailed("缴费方式无效", code="bad_kind")
    if filters.status and filters.status not in STATUSES[filters.kind]:
        raise ValidationFailed("状态无效", code="bad_status")
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationFailed("开始日期不能晚于结束日期", code="bad_range")


def payments(
    principal: Principal, code: str, filters: Filters, cursor: str | None = None, limit: int = 50
) -> RegisterPage:
    """A page of the compound's payments of one kind, newest first (keyset by id).
    Raises NotFound, Forbidden, ValidationFailed (filters, cursor)."""
    compound = _checked(principal, code)
    check_filters(filters)
    before = cursors.decode(cursor)
    if filters.kind == "wechat":
        rows = _wechat(compound.id, filters, before, limit + 1)
    else:
        rows = _offline(compound.id, filters, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if filters.kind == "offline":
        record_access(principal, "list", "offline_payment", [r.id for r in rows], compound.id)
        db.session.commit()
    return RegisterPage(rows, cursors.encode(rows[-1].id) if more else None)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


def _with_flat(statement, household_id, building: int | None):
    """`statement` joined to the flat of `household_id` (in building `building`)."""
    statement = (
        statement.join(Household, Household.id == household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
    )
    if building is not None:
        statement = statement.where(Building.number == building)
    return statement


def _wechat(compound_id: int, filters: Filters, before: int | None, limit: int) -> list[Row]:
    query = _with_flat(select(Payment, FLAT), Payment.household_id, filters.building)
    query = query.where(Payment.compound_id == compound_id)
    if before is not None:
        query = query.where(Payment.id < before)
    if filters.status:
        query = query.where(Payment.status == filters.status)
    if filters.since:
        query = query.where(Payment.created_at >= _utc(filters.since))
    if filters.until:
        query = query.where(Payment.created_at < _utc(filters.until + timedelta(days=1)))
    found = db.session.execute(query.order_by(Payment.id.desc()).limit(limit)).all()
    return [
        Row(
            "wechat",
            p.id,
            flat,
            p.total_fen,
            p.status,
            _day(p.paid_at or p.created_at),
            "wechat",
            trade_no=p.out_trade_no,
            transaction_id=p.transaction_id,
        )
        for p, flat in found
    ]


def _day(at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(SHANGHAI).date()


def _offline(compound_id: int, filters: Filters, before: int | None, limit: int) -> list[Row]:
    query = _with_flat(select(OfflinePayment, FLAT), OfflinePayment.household_id, filters.building)
    query = query.where(OfflinePayment.compound_id == compound_id)
    if before is not None:
        query = query.where(OfflinePayment.id < before)
    if filters.status:
        query = query.where(OfflinePayment.status == filters.status)
    if filters.since:
        query = query.where(OfflinePayment.paid_on >= filters.since)
    if filters.until:
        query = query.where(OfflinePayment.paid_on <= filters.until)
    found = db.session.execute(query.order_by(OfflinePayment.id.desc()).limit(limit)).all()
    people = {p.recorded_by_id for p, _ in found} | {p.decided_by_id for p, _ in found}
    names = users.names_in(compound_id, people)
    return [
        Row(
            "offline",
            p.id,
            flat,
            p.amount_fen,
            p.status,
            p.paid_on,
            p.method,
            recorded_by=names.get(p.recorded_by_id),
            decided_by=names.get(p.decided_by_id),
            reason=p.reason,
        )
        for p, flat in found
    ]


def offline_bills(compound_id: int, payment_ids: list[int]) -> dict[int, list[BillLine]]:
    """The bills each offline payment covers (one query), by payment id."""
    if not payment_ids:
        return {}
    rows = db.session.execute(
        select(
            OfflinePaymentBill.offline_payment_id,
            Bill.id,
            Bill.period,
            FeeItem.name,
            OfflinePaymentBill.amount_fen,
        )
        .join(Bill, Bill.id == OfflinePaymentBill.bill_id)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .where(
            OfflinePaymentBill.offline_payment_id.in_(payment_ids),
            Bill.compound_id == compound_id,
        )
        .order_by(Bill.period, Bill.id)
    )
    lines: dict[int, list[BillLine]] = {}
    for payment_id, bill_id, period, name, amount in rows:
        lines.setdefault(payment_id, []).append(BillLine(bill_id, period, name, amount))
    return lines


def offline_payment(principal: Principal, code: str, payment_id: int) -> OfflineView:
    """One offline payment of the compound with its bills and who recorded and decided
    it. Raises NotFound (also for another compound's), Forbidden."""
    compound = _checked(principal, code)
    found = db.session.execute(
        _with_flat(select(OfflinePayment, FLAT), OfflinePayment.household_id, None).where(
            OfflinePayment.id == payment_id, OfflinePayment.compound_id == compound.id
        )
    ).first()
    if found is None:
        raise NotFound("找不到该线下缴费记录", code="offline_payment_not_found")
    payment, flat = found
    names = users.names_in(compound.id, (payment.recorded_by_id, payment.decided_by_id))
    record_access(principal, "view", "offline_payment", [payment.id], compound.id)
    db.session.commit()
    return OfflineView(
        payment,
        flat,
        offline_bills(compound.id, [payment.id]).get(payment.id, []),
        names.get(payment.recorded_by_id, ""),
        names.get(payment.decided_by_id) if payment.decided_by_id else None,
    )
