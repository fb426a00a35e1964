"""A period's bills, the payments of them and the unpaid households, as one Excel
workbook for the committee and the finance supervisor (cells written by `excel`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from server.errors import Forbidden
from server.extensions import db
from server.labels import label
from server.models import (
    Bill,
    Building,
    FeeItem,
    Household,
    OfflinePayment,
    OfflinePaymentBill,
    Payment,
    PaymentBill,
    Unit,
)
from server.services.excel import Column, Sheet, Total, xlsx
from server.services.money.collection import periods_of_month
from server.services.money.periods import parse_month
from server.services.people import compounds, users
from server.services.people.access import Principal

# The statuses of the payments sheet whose money came in (its totals row).
RECEIVED = {label("payment_status", "paid"), label("offline_status", "confirmed")}

MONEY = "金额（元）"
# Of the unpaid money, what sits in open WeChat Pay orders (bills shown as 支付中).
IN_PAYMENT = f"其中{label('bill_status', 'pending')}（元）"
BILL_COLUMNS = (
    Column("账单号", 10, "id"),
    Column("房屋", 12),
    Column("收费项目", 16),
    Column("账期", 10),
    Column(MONEY, 12, "money"),
    Column("状态", 8),
    Column("缴费时间", 18, "datetime"),
    Column("缴费方式", 10),
)
PAYMENT_COLUMNS = (
    Column("缴费方式", 10),
    Column("房屋", 12),
    Column("账单号", 10, "id"),
    Column("收费项目", 16),
    Column("账期", 10),
    Column(MONEY, 12, "money"),
    Column("状态", 10),
    Column("本次缴费合计（元）", 14, "money"),
    Column("商户订单号", 34),
    Column("微信支付单号", 32),
    Column("缴费时间", 18, "datetime"),
    Column("登记人", 12),
    Column("确认/驳回人", 12),
    Column("处理时间", 18, "datetime"),
    Column("驳回理由", 30),
)
UNPAID_COLUMNS = (
    Column("房屋", 12),
    Column("未缴笔数", 10, "number"),
    Column("未缴金额（元）", 14, "money"),
    Column(IN_PAYMENT, 16, "money"),
)


@dataclass(frozen=True)
class _Bill:
    bill: Bill
    fee_name: str
    label: str


def export_xlsx(principal: Principal, code: str, month: str) -> bytes:
    """A period's bills and the payments of them, as Excel (committee, supervisor): a
    sheet "账单", one row per bill; "缴费记录", one row per bill in each online or
    offline payment of it, whatever its status; "未缴名单", one row per household that
    owes. Raises NotFound, Forbidden, ValidationFailed (the month)."""
    parse_month(month)
    compound = compounds.member_compound(principal, code)
    if not (principal.committee_of(compound.id) or principal.supervisor_of(compound.id)):
        raise Forbidden("只有业委会和财务监督可以导出", code="committee_only")
    periods = periods_of_month(month)
    bills = _bills(compound.id, periods)
    rows = _online_rows(compound.id, periods) + _offline_rows(compound.id, periods)
    received = sum(row[5] for row in rows if row[6] in RECEIVED)
    payments = Sheet(
        "缴费记录",
        PAYMENT_COLUMNS,
        rows,
        [Total(f"已收款合计（已支付、已确认，{len(rows)} 行）", {MONEY: received})],
    )
    return xlsx(_bills_sheet(compound.id, bills), payments, _unpaid_sheet(bills))


def _bills(compound_id: int, periods: list[str]) -> list[_Bill]:
    rows = db.session.execute(
        select(Bill, FeeItem.name, Building.number, Unit.number, Household.room)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .join(Household, Household.id == Bill.household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Bill.compound_id == compound_id, Bill.period.in_(periods))
        .order_by(Building.number, Unit.number, Household.floor, Household.room, Bill.id)
    ).all()
    return [_Bill(bill, name, f"{b}-{u}-{room}") for bill, name, b, u, room in rows]


def _bills_sheet(compound_id: int, bills: list[_Bill]) -> Sheet:
    # How a paid bill was paid is what holds it (`Bill.held_by`): "payment:<id>" is
    # WeChat Pay, "offline:<id>" the method of that cash or transfer payment.
    methods = {
        f"offline:{payment_id}": method
        for payment_id, method in db.session.execute(
            select(OfflinePayment.id, OfflinePayment.method).where(
                OfflinePayment.compound_id == compound_id, OfflinePayment.status == "confirmed"
            )
        )
    }
    paid = [row.bill.amount_fen for row in bills if row.bill.status == "paid"]
    owed = [row.bill.amount_fen for row in bills if row.bill.status != "cancelled"]
    return Sheet(
        "账单",
        BILL_COLUMNS,
        (
            [
                row.bill.id,
                row.label,
                row.fee_name,
                row.bill.period,
                row.bill.amount_fen,
                label("bill_status", row.bill.status),
                row.bill.paid_at,
                _paid_how(row.bill, methods),
            ]
            for row in bills
        ),
        [
            Total(
                f"合计（{len(owed)} 笔{_VOIDED_NOTE if len(owed) < len(bills) else ''}）",
                {MONEY: sum(owed)},
            ),
            Total(f"其中已缴（{len(paid)} 笔）", {MONEY: sum(paid)}),
        ],
    )


_VOIDED_NOTE = "，不含已作废"


def _paid_how(bill: Bill, methods: dict[str, str]) -> str:
    if bill.status != "paid" or not bill.held_by:
        return ""
    if bill.held_by.startswith("payment:"):
        return label("paid_via", "wechat")
    return label("offline_method", methods.get(bill.held_by))


def _unpaid_sheet(bills: list[_Bill]) -> Sheet:
    owed: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # count, fen, pending fen
    for row in bills:
        if row.bill.status in ("paid", "cancelled"):
            continue
        line = owed[row.label]
        line[0] += 1
        line[1] += row.bill.amount_fen
        line[2] += row.bill.amount_fen if row.bill.status == "pending" else 0
    rows = [[label, *line] for label, line in owed.items()]  # in the bills' flat order
    return Sheet(
        "未缴名单",
        UNPAID_COLUMNS,
        rows,
        [
            Total(
                f"合计（{len(rows)} 户）",
                {
                    "未缴笔数": sum(r[1] for r in rows),
                    "未缴金额（元）": sum(r[2] for r in rows),
                    IN_PAYMENT: sum(r[3] for r in rows),
                },
            )
        ],
    )


# What every line of the payments sheet shows of its bill and flat.
_LINE = (Bill.id, FeeItem.name, Bill.period, Building.number, Unit.number, Household.room)


def _of_period(statement, bill_id, household_id, compound_id: int, periods: list[str]):
    """`statement` joined to its bills of the period, their fee items and the flat."""
    return (
        statement.join(Bill, Bill.id == bill_id)
        .join(FeeItem, FeeItem.id == Bill.fee_item_id)
        .join(Household, Household.id == household_id)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Household.building_id)
        .where(Bill.compound_id == compound_id, Bill.period.in_(periods))
    )


def _online_rows(compound_id: int, periods: list[str]) -> list[list]:
    """One row per bill of the period in each WeChat Pay order (one query)."""
    statement = select(Payment, PaymentBill.amount_fen, *_LINE).join(
        PaymentBill, PaymentBill.payment_id == Payment.id
    )
    rows = db.session.execute(
        _of_period(statement, PaymentBill.bill_id, Payment.household_id, compound_id, periods)
        .where(Payment.compound_id == compound_id)
        .order_by(Payment.created_at, Payment.id, Bill.period, Bill.id)
    ).all()
    return [
        [
            label("paid_via", "wechat"),
            f"{building}-{unit}-{flat}",
            bill_id,
            fee_name,
            period,
            share,
            label("payment_status", payment.status),
            payment.total_fen,
            payment.out_trade_no,
            payment.transaction_id,
            payment.paid_at,
            None,
            None,
            None,
            None,
        ]
        for payment, share, bill_id, fee_name, period, building, unit, flat in rows
    ]


def _offline_rows(compound_id: int, periods: list[str]) -> list[list]:
    """One row per bill of the period in each cash or transfer payment, with who
    recorded and who decided it (two queries)."""
    link = OfflinePaymentBill
    statement = select(OfflinePayment, link.amount_fen, *_LINE).join(
        link, link.offline_payment_id == OfflinePayment.id
    )
    rows = db.session.execute(
        _of_period(statement, link.bill_id, OfflinePayment.household_id, compound_id, periods)
        .where(OfflinePayment.compound_id == compound_id)
        .order_by(OfflinePayment.created_at, OfflinePayment.id, Bill.period, Bill.id)
    ).all()
    people = {p.recorded_by_id for p, *_ in rows} | {p.decided_by_id for p, *_ in rows}
    names = users.names_in(compound_id, people)
    return [
        [
            label("offline_method", payment.method),
            f"{building}-{unit}-{flat}",
            bill_id,
            fee_name,
            period,
            share,
            label("offline_status", payment.status),
            payment.amount_fen,
            None,
            None,
            payment.paid_on,
            names.get(payment.recorded_by_id),
            names.get(payment.decided_by_id),
            payment.decided_at,
            payment.reason,
        ]
        for payment, share, bill_id, fee_name, period, building, unit, flat in rows
    ]
