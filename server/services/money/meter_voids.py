"""Voiding a wrong confirmed meter reading: it is never edited, it is voided, by two people.

A committee member proposes the void with a reason; a second, different one confirms
it. Then, in one transaction, the reading is "voided" and each of its bills cancelled
(kept, owed by nobody). A bill already paid is cancelled too: its money moves from the
fee's account to the refund suspense account in the ledger, and an anomaly names the
household, so the committee refunds it (itself a two-person record, `anomalies`). The
unit's month is then free for a corrected reading. A bill in an open payment holds the
void back until that payment ends.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from server.errors import Conflict, Forbidden, NotFound
from server.extensions import db
from server.models import (
    Approval,
    Bill,
    FeeItem,
    Household,
    Membership,
    MeterReading,
    Payment,
    PaymentAnomaly,
    Refund,
    Unit,
)
from server.models.payments import REFUND_IN_FLIGHT
from server.services.messaging import notify
from server.services.messaging.messages import Message
from server.services.money import approvals, ledger
from server.services.money.meter_confirmations import locked
from server.services.money.meter_readings import reading_name
from server.services.people import compounds, users
from server.services.people.access import Principal


def propose(principal: Principal, reading_id: int, reason: str) -> approvals.ChangeView:
    """A committee member asks to void a confirmed reading, saying why; it waits for a
    second committee member (who is pushed it).

    Raises NotFound, Forbidden, Conflict (not confirmed; a void already proposed;
    compound_archived).
    """
    reading = db.session.get(MeterReading, reading_id)
    if reading is None or reading.compound_id not in principal.compound_ids:
        raise NotFound("找不到该读数", code="reading_not_found")
    compounds.ensure_open_id(reading.compound_id)
    if not principal.committee_of(reading.compound_id):
        raise Forbidden("只有业委会成员可以申请作废电费读数", code="committee_only")
    if reading.status != "confirmed":
        raise Conflict(
            "只有已确认的读数可以作废；待确认的读数请直接驳回", code="reading_not_confirmed"
        )
    bills = _standing_bills(reading)
    paid = [b for b in bills if b.status == "paid"]
    paid_fen = sum(b.amount_fen for b in paid)
    summary = (
        f"作废{reading_name(reading.unit, reading.period)}（{reading.amount_fen / 100:.2f} 元）"
    )
    if paid:
        summary += f"，{len(paid)} 户已缴的 {paid_fen / 100:.2f} 元转为待退款"
    approval = approvals.propose(
        principal,
        compound_id=reading.compound_id,
        kind="meter_void",
        subject_id=reading.id,
        summary=summary,
        details={
            "reading_id": reading.id,
            "unit": reading.unit.label,
            "period": reading.period,
            "amount_fen": reading.amount_fen,
            "bills": len(bills),
            "paid_households": len(paid),
            "paid_fen": paid_fen,
        },
        effective_period=reading.period,
        note=reason,
        taken="该读数已有待确认的作废申请",
    )
    db.session.commit()
    return approvals.views(principal, [approval])[0]


def apply(approval: Approval, principal: Principal, _acknowledged: bool) -> None:
    """A second committee member confirms the void (no commit): the reading is voided, its
    bills cancelled, paid ones' money booked to the refund suspense account with an
    anomaly per household, and the households told.

    Raises Conflict (not confirmed any more; code bills_in_payment: a bill is in an open
    payment, try again once it ends).
    """
    reading = locked(approval.subject_id)
    if reading.status != "confirmed":
        raise Conflict("该读数已不是已确认状态", code="reading_not_confirmed")
    bills = _standing_bills(reading, lock=True)
    busy = [b.id for b in bills if b.status == "pending"]
    if busy:
        raise Conflict(
            "有住户正在缴这笔电费，请等缴费结束后再确认作废", code="bills_in_payment", details=busy
        )
    _no_wechat_refund_under_way(bills)
    people = users.names_in(approval.compound_id, {approval.proposed_by_id, principal.id})
    who = f"{people[approval.proposed_by_id]}申请作废，{people[principal.id]}确认"
    name = reading_name(reading.unit, reading.period)
    code = db.session.scalar(select(FeeItem.code).where(FeeItem.id == reading.fee_item_id))
    labels = _labels([b.household_id for b in bills])
    paid = {b.id for b in bills if b.status == "paid"}
    movements = []
    for bill in bills:
        if bill.id in paid:
            paid_yuan = f"{bill.amount_fen / 100:.2f}"
            memo = f"{name}作废：{labels[bill.household_id]} 已缴 {paid_yuan} 元转待退款，{who}"
            movements += _to_refund_due(reading, bill, f"fee:{code}", memo[:200])
            _refund_anomaly(reading, bill, labels[bill.household_id])
        bill.status, bill.void_key = "cancelled", bill.id
    reading.status, reading.void_key = "voided", reading.id
    if movements:
        ledger.append(reading.compound_id, movements, principal.id)
    _tell_households(reading, bills, paid, name)


def _no_wechat_refund_under_way(bills: list[Bill]) -> None:
    """A paid bill's money on its way back through WeChat Pay (a refund of the payment
    proposed, confirmed or processing) is not owed back again by a void: the void waits
    for the refund to end. Raises Conflict (wechat_refund_under_way)."""
    payments = [
        int(b.held_by.removeprefix("payment:"))
        for b in bills
        if b.status == "paid" and (b.held_by or "").startswith("payment:")
    ]
    if not payments:
        return
    under_way = db.session.scalar(
        select(Refund.id)
        .where(
            Refund.payment_id.in_(payments),
            Refund.anomaly_id.is_(None),
            Refund.status.in_(REFUND_IN_FLIGHT),
        )
        .with_for_update(read=True)  # sees a refund committed while we waited for the bills
    )
    if under_way is not None:
        raise Conflict(
            "这笔电费有住户的缴费正在通过微信原路退回，请等退款完成或被驳回后再确认作废",
            code="wechat_refund_under_way",
        )


def _standing_bills(reading: MeterReading, lock: bool = False) -> list[Bill]:
    """The reading's bills not cancelled, in id order; locked (by their unique key, so
    exactly they are) when about to change."""
    households = db.session.scalars(
        select(Household.id).where(Household.unit_id == reading.unit_id)
    ).all()
    query = (
        select(Bill)
        .where(
            Bill.household_id.in_(households),
            Bill.fee_item_id == reading.fee_item_id,
            Bill.period == reading.period,
            Bill.void_key == 0,
        )
        .order_by(Bill.id)
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def _labels(household_ids: list[int]) -> dict[int, str]:
    rows = db.session.scalars(
        select(Household)
        .options(joinedload(Household.unit).joinedload(Unit.building))
        .where(Household.id.in_(household_ids))
    )
    return {h.id: h.label for h in rows}


def _to_refund_due(reading, bill: Bill, account: str, memo: str) -> list[ledger.Movement]:
    """The share leaves the fee's income and is owed back to the household."""
    return [
        ledger.Movement(account, "debit", bill.amount_fen, "meter_void", reading.id, memo),
        ledger.Movement(
            ledger.REFUND_DUE, "credit", bill.amount_fen, "meter_void", reading.id, memo
        ),
    ]


def _refund_anomaly(reading: MeterReading, bill: Bill, label: str) -> None:
    details = {
        "household": label,
        "household_id": bill.household_id,
        "period": reading.period,
        "unit": reading.unit.label,
        "reading_id": reading.id,
        "bills": [bill.id],
        "paid_by": bill.held_by,
        "refund_due_fen": bill.amount_fen,
    }
    if bill.held_by and bill.held_by.startswith("payment:"):
        payment = db.session.get(Payment, int(bill.held_by.split(":")[1]))
        details["out_trade_no"] = payment.out_trade_no if payment else None
    db.session.add(
        PaymentAnomaly(compound_id=reading.compound_id, kind="reading_voided", details=details)
    )


def _tell_households(reading: MeterReading, bills: list[Bill], paid: set[int], name: str) -> None:
    """Each household's residents read in their inbox that the bill is void."""
    residents: dict[int, list[int]] = {}
    for user_id, household_id in db.session.execute(
        select(Membership.user_id, Membership.household_id).where(
            Membership.role == "resident",
            Membership.household_id.in_([b.household_id for b in bills]),
        )
    ):
        residents.setdefault(household_id, []).append(user_id)
    for bill in bills:
        yuan = f"{bill.amount_fen / 100:.2f}"
        body = f"{name}录入有误，业委会已作废，您家这笔 {yuan} 元的账单不用再缴。"
        if bill.id in paid:
            body += f"您已缴的 {yuan} 元将由业委会退还。"
        message = Message(
            kind="bill_cancelled",
            template="reminder",
            title=f"{name}账单已作废",
            body=body + "更正后的账单会另行出具。",
            data={},
            page="pages/bills/index",
        )
        occasion = notify.Occasion(f"void{reading.id}h{bill.household_id}", reading.compound_id)
        notify.deliver(message, residents.get(bill.household_id, []), occasion, inbox_only=True)
