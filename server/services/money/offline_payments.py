"""Cash and transfers: recorded by a liaison or committee member, confirmed by a second,
different committee member. Two people for every offline yuan.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from server import labels
from server.clock import SHANGHAI, utcnow
from server.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.extensions import db
from server.models import (
    Attachment,
    Bill,
    FeeItem,
    Household,
    OfflinePayment,
    OfflinePaymentBill,
    Unit,
    Upload,
)
from server.services.money import approvals, bill_holds, ledger, receipts
from server.services.people import compounds, users
from server.services.people.access import Principal, record_access, same_person


def record(
    principal: Principal,
    *,
    bill_ids: list[int],
    method: str,
    amount_fen: int,
    paid_on: date,
    receipt_upload_id: int | None,
    note: str | None,
) -> OfflinePayment:
    """Record money handed over for bills of one household; the bills wait ("pending")
    for a second committee member. The amount must be the bills' total exactly.

    Raises NotFound, Forbidden (residents; liaisons of other units), Conflict (a bill
    not unpaid), ValidationFailed (amount, date, receipt).
    """
    bills = _bills(principal, bill_ids)
    household = db.session.get(Household, bills[0].household_id)
    compounds.ensure_open_id(household.compound_id)
    if not (
        principal.liaison_of(household.unit_id) or principal.committee_of(household.compound_id)
    ):
        raise Forbidden("只有本单元联络人或业委会成员可以登记线下缴费", code="not_a_collector")
    total = sum(b.amount_fen for b in bills)
    if amount_fen != total:
        raise ValidationFailed(f"金额应为账单合计 {total / 100:.2f} 元", code="amount_mismatch")
    if paid_on > utcnow().astimezone(SHANGHAI).date():
        raise ValidationFailed("缴费日期不能晚于今天", code="paid_on_in_future")
    _check_receipt(principal, receipt_upload_id)
    payment = OfflinePayment(
        compound_id=household.compound_id,
        household_id=household.id,
        method=method,
        amount_fen=amount_fen,
        paid_on=paid_on,
        receipt_upload_id=receipt_upload_id,
        note=note,
        recorded_by_id=principal.id,
    )
    db.session.add(payment)
    db.session.flush()
    bill_holds.reserve(bills, holder(payment))
    db.session.add_all(
        OfflinePaymentBill(offline_payment_id=payment.id, bill_id=b.id, amount_fen=b.amount_fen)
        for b in bills
    )
    db.session.commit()
    return payment


def _bills(principal: Principal, bill_ids: list[int]) -> list[Bill]:
    return bill_holds.choose(bill_ids, lambda b: b.compound_id in principal.compound_ids, "登记")


def holder(payment: OfflinePayment) -> str:
    return f"offline:{payment.id}"


def _check_receipt(principal: Principal, upload_id: int | None) -> None:
    """The recorder's own upload, not attached to an issue or to another payment."""
    if upload_id is None:
        return
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.uploader_id != principal.id or upload.issue_id is not None:
        raise ValidationFailed("收据照片无效，请重新上传", code="receipt_invalid")
    if db.session.scalar(
        select(OfflinePayment.id).where(OfflinePayment.receipt_upload_id == upload_id)
    ) or db.session.scalar(select(Attachment.id).where(Attachment.upload_id == upload_id)):
        raise ValidationFailed("这张收据已用于另一笔缴费，请重新上传", code="receipt_used")


def _decidable(principal: Principal, payment_id: int) -> OfflinePayment:
    """The pending record, row-locked, for a second committee member's decision: every
    decision starts here. Raises NotFound, Conflict (compound archived; decided),
    Forbidden (not committee; the recorder)."""
    payment = db.session.scalars(
        select(OfflinePayment)
        .where(OfflinePayment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if payment is None or payment.compound_id not in principal.compound_ids:
        raise NotFound("找不到该线下缴费记录", code="offline_payment_not_found")
    compounds.ensure_open_id(payment.compound_id)
    if not principal.committee_of(payment.compound_id):
        raise Forbidden("只有业委会成员可以确认线下缴费", code="committee_only")
    if same_person(principal, payment.recorded_by_id):
        raise Forbidden("登记人不能确认自己登记的缴费，请另一位业委会成员确认", code="same_person")
    if payment.status != "pending":
        raise Conflict("该笔缴费已处理", code="offline_payment_decided")
    return payment


def confirm(principal: Principal, payment_id: int) -> OfflinePayment:
    """A second committee member confirms: the bills are paid and the ledger written,
    in one transaction. Raises NotFound, Forbidden (not committee; the recorder), Conflict."""
    payment = _decidable(principal, payment_id)
    now = utcnow()
    payment.status, payment.decided_by_id, payment.decided_at = "confirmed", principal.id, now
    bills = _bills_of(payment)
    settled = db.session.execute(
        update(Bill)
        .where(
            Bill.id.in_([b.id for b in bills]),
            Bill.status == "pending",
            Bill.held_by == holder(payment),
        )
        .values(status="paid", paid_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if settled != len(bills):  # never expected: only this payment can free its bills
        db.session.rollback()
        raise Conflict("账单状态已变化，请刷新后重试", code="bills_changed")
    items = {
        item_id: (code, name)
        for item_id, code, name in db.session.execute(
            select(FeeItem.id, FeeItem.code, FeeItem.name).where(
                FeeItem.id.in_({b.fee_item_id for b in bills})
            )
        )
    }
    label = receipts.household_label(payment.household_id)
    names = users.names_in(payment.compound_id, (payment.recorded_by_id, principal.id))
    how = (
        f"{labels.label('paid_via', payment.method)}，"
        f"{names[payment.recorded_by_id]}登记，{names[principal.id]}确认"
    )
    ledger.append(
        payment.compound_id,
        [
            ledger.Movement(
                account=f"fee:{items[b.fee_item_id][0]}",
                direction="credit",
                amount_fen=b.amount_fen,
                source_type="offline_payment",
                source_id=payment.id,
                memo=receipts.bill_memo(label, b.period, items[b.fee_item_id][1], how),
            )
            for b in bills
            if b.amount_fen > 0
        ],
        principal.id,
    )
    _tell_household(payment, bills, items, names[payment.recorded_by_id], names[principal.id])
    db.session.commit()
    return payment


def _tell_household(payment, bills, items, recorder: str, confirmer: str) -> None:
    """The household's residents hear that their cash counts: the same message as a
    WeChat Pay payment's, in their inbox and pushed (nothing else tells them), once."""
    what = receipts.bills_text(
        [(b.period, items[b.fee_item_id][1]) for b in sorted(bills, key=lambda b: b.period)]
    )
    detail = f"由{recorder}登记，{confirmer}确认。"
    message = receipts.paid_message(
        payment.method, payment.amount_fen, what, detail, payment.decided_at
    )
    residents = receipts.household_residents(payment.household_id)
    receipts.tell(message, residents, f"cash{payment.id}", payment.compound_id, push=True)


def reject(principal: Principal, payment_id: int, reason: str) -> OfflinePayment:
    """A second committee member rejects with a reason: the bills are unpaid again."""
    payment = _decidable(principal, payment_id)
    payment.status, payment.decided_by_id, payment.decided_at = "rejected", principal.id, utcnow()
    payment.reason = reason
    bill_holds.release([b.id for b in _bills_of(payment)], holder(payment))
    db.session.commit()
    return payment


def _bills_of(payment: OfflinePayment) -> list[Bill]:
    return list(
        db.session.scalars(
            select(Bill)
            .join(OfflinePaymentBill, OfflinePaymentBill.bill_id == Bill.id)
            .where(OfflinePaymentBill.offline_payment_id == payment.id)
        )
    )


def pending_for(principal: Principal, code: str, status: str = "pending") -> list[OfflinePayment]:
    """Offline payments of a compound for its committee and supervisor to check."""
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以查看", code="committee_only")
    ids = list(
        db.session.scalars(
            select(OfflinePayment.id)
            .where(OfflinePayment.compound_id == compound.id, OfflinePayment.status == status)
            .order_by(OfflinePayment.id.desc())
            .limit(200)
        )
    )
    record_access(principal, "list", "offline_payment", ids, compound.id)
    db.session.commit()
    # Loaded after the commit, which would expire them: then each would be read again.
    return list(
        db.session.scalars(
            select(OfflinePayment)
            .options(
                joinedload(OfflinePayment.household)
                .joinedload(Household.unit)
                .joinedload(Unit.building)
            )
            .where(OfflinePayment.id.in_(ids))
            .order_by(OfflinePayment.id.desc())
        )
    )


def waiting_count(principal: Principal, code: str) -> int:
    """How many pending records the caller may confirm (approvals.records_waiting_for)."""
    return approvals.records_waiting_for(principal, code, OfflinePayment)
